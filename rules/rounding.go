package rules

import (
	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/shopspring/decimal"
)

// RoundingMode says which way a value between two steps goes.
type RoundingMode string

// The rounding modes a rule output may declare.
const (
	HalfUp   RoundingMode = "half-up"   // 四舍五入: halves away from zero
	HalfEven RoundingMode = "half-even" // banker's rounding: halves to the even step
	Down     RoundingMode = "down"      // toward zero (truncate)
	Up       RoundingMode = "up"        // away from zero, so an amount to reach is enough
)

var modes = map[RoundingMode]dexpr.Mode{HalfUp: dexpr.HalfUp, HalfEven: dexpr.HalfEven, Down: dexpr.Down, Up: dexpr.Up}

// modeNames are the Chinese names of the modes, for explanations.
var modeNames = map[RoundingMode]string{HalfUp: "四舍五入", HalfEven: "银行家舍入", Down: "舍去", Up: "进一"}

// Rounding is an output's declared rounding: to Places decimal places in
// Mode. Rounding happens only where a rule file declares it.
type Rounding struct {
	Places int32        `json:"places"`
	Mode   RoundingMode `json:"mode"`
}

// Round rounds d as r declares.
func (r Rounding) Round(d decimal.Decimal) decimal.Decimal {
	return dexpr.Round(d, r.Places, modes[r.Mode])
}

func (r Rounding) roundNum(v dexpr.Num) decimal.Decimal {
	return dexpr.RoundNum(v, r.Places, modes[r.Mode])
}
