package table

import (
	"strconv"
	"time"
)

// excelDigits is how many significant digits Excel shows of a number: a
// General cell, the formula bar and Excel's own CSV export all stop at 15.
const excelDigits = 15

// maxPoint bounds the decimal exponent of a number expanded into plain
// text. Excel's doubles stay within 1e±308; a larger exponent comes from a
// file no spreadsheet wrote, and its text is returned unchanged rather than
// spelled out with thousands of zeros.
const maxPoint = 400

// number is a decimal read from text: the value is 0.digits × 10^point,
// with no leading or trailing zeros in digits (zero has no digits).
type number struct {
	neg    bool
	digits []byte
	point  int
}

// parseNumber reads decimal text: an optional sign, digits with at most one
// point, and an optional exponent ("1.5E-3"). buf is reused for the digits.
// It reports false for anything else. No binary float is involved.
func parseNumber(s string, buf []byte) (number, bool) {
	n := number{digits: buf[:0]}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		n.neg = s[i] == '-'
		i++
	}
	seenDigit, seenPoint := false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			seenDigit = true
			if c == '0' && len(n.digits) == 0 {
				if seenPoint {
					n.point-- // a leading zero after the point moves the first digit right
				}
				continue
			}
			n.digits = append(n.digits, c)
		case c == '.' && !seenPoint:
			seenPoint = true
			// every integer digit kept so far sits before the point
			n.point += len(n.digits)
		default:
			goto exponent
		}
	}
exponent:
	if !seenDigit {
		return number{}, false
	}
	if !seenPoint {
		n.point += len(n.digits)
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return number{}, false
		}
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 1e6 || e < -1e6 {
			return number{}, false
		}
		n.point += e
	}
	for len(n.digits) > 0 && n.digits[len(n.digits)-1] == '0' {
		n.digits = n.digits[:len(n.digits)-1]
	}
	if len(n.digits) == 0 {
		n.point, n.neg = 0, false
	}
	return n, true
}

// round rounds n half away from zero to at most sig significant digits.
func (n *number) round(sig int) {
	if len(n.digits) <= sig {
		return
	}
	up := n.digits[sig] >= '5'
	n.digits = n.digits[:sig]
	if up {
		i := sig - 1
		for ; i >= 0 && n.digits[i] == '9'; i-- {
			n.digits[i] = '0'
		}
		if i < 0 { // 999… became 1000…
			n.digits = append(n.digits[:0], '1')
			n.point++
		} else {
			n.digits[i]++
		}
	}
	for len(n.digits) > 0 && n.digits[len(n.digits)-1] == '0' {
		n.digits = n.digits[:len(n.digits)-1]
	}
}

// appendPlain appends n as plain decimal text: no exponent, no trailing
// zeros after the point, "0" for zero.
func (n number) appendPlain(b []byte) []byte {
	if len(n.digits) == 0 {
		return append(b, '0')
	}
	if n.neg {
		b = append(b, '-')
	}
	switch {
	case n.point <= 0:
		b = append(b, '0', '.')
		for range -n.point {
			b = append(b, '0')
		}
		b = append(b, n.digits...)
	case n.point >= len(n.digits):
		b = append(b, n.digits...)
		for range n.point - len(n.digits) {
			b = append(b, '0')
		}
	default:
		b = append(b, n.digits[:n.point]...)
		b = append(b, '.')
		b = append(b, n.digits[n.point:]...)
	}
	return b
}

// generalText returns the text Excel shows for a number it stored as the
// text v (the shortest text of a binary double, such as
// "1799.9999999999998" or "0.30000000000000004"): v rounded half away from
// zero to 15 significant digits, written without an exponent or trailing
// zeros ("1800", "0.3"). The rounding works on v's decimal digits, never on
// a binary float, so what has at most 15 significant digits comes back
// exactly as stored ("1800.5", "123456789012.34", "1800.0000000001").
// Text that is not a number, or whose exponent is beyond a double's range,
// comes back unchanged.
func generalText(v string) string {
	if isPlainGeneral(v) {
		return v
	}
	var digits, out [40]byte
	n, ok := parseNumber(v, digits[:0])
	if !ok || n.point > maxPoint || n.point < -maxPoint {
		return v
	}
	n.round(excelDigits)
	return string(n.appendPlain(out[:0]))
}

// isPlainGeneral reports whether v is already the text generalText would
// return: "0" or an optional minus, digits without a leading zero (or a
// single 0 before the point), a fraction without trailing zeros, and at
// most 15 significant digits. Excel stores most numbers this way.
func isPlainGeneral(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	if i == len(v) || v[i] < '0' || v[i] > '9' {
		return false
	}
	sig, point, leading := 0, false, true
	if v[i] == '0' {
		if i+1 == len(v) {
			return i == 0 // "0" yes, "-0" no
		}
		if v[i+1] != '.' {
			return false
		}
	}
	for ; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.' && !point:
			point = true
			if i+1 == len(v) {
				return false
			}
		case c >= '0' && c <= '9':
			if c != '0' {
				leading = false
			}
			if !leading {
				sig++
			}
		default:
			return false
		}
	}
	if point && v[len(v)-1] == '0' {
		return false
	}
	return sig <= excelDigits && !leading
}

// Serial day numbers Excel can show as dates (1900 system; 2958465 is
// 9999-12-31).
const maxSerialDay = 2958465

// serialParts splits a stored date-time serial into whole days and the
// seconds of the day, rounded half up (so 44440.99999999 is the next day).
func serialParts(v string) (days, secs int, ok bool) {
	var digits [40]byte
	n, ok := parseNumber(v, digits[:0])
	if !ok || n.neg || n.point > 7 {
		return 0, 0, false
	}
	for i := range max(n.point, 0) {
		d := 0
		if i < len(n.digits) {
			d = int(n.digits[i] - '0')
		}
		days = days*10 + d
	}
	// The fraction to 12 digits, as an integer count of 10^-12 days.
	const fracDigits = 12
	frac, scale := int64(0), int64(1)
	for i := n.point; i < n.point+fracDigits; i++ {
		d := int64(0)
		if i >= 0 && i < len(n.digits) {
			d = int64(n.digits[i] - '0')
		}
		frac, scale = frac*10+d, scale*10
	}
	secs = int((frac*86400 + scale/2) / scale)
	if secs == 86400 {
		days, secs = days+1, 0
	}
	if days > maxSerialDay {
		return 0, 0, false
	}
	return days, secs, true
}

// serialDate returns the date of a whole serial day: YYYY-MM-DD. In the
// 1900 date system Excel keeps Lotus's phantom 29 February 1900 (serial
// 60) and shows serial 0 as 1900-01-00; both are returned as Excel shows
// them.
func serialDate(days int, date1904 bool) string {
	if date1904 {
		return time.Date(1904, 1, 1+days, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	switch {
	case days == 0:
		return "1900-01-00"
	case days == 60:
		return "1900-02-29"
	case days < 60:
		return time.Date(1899, 12, 31+days, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	return time.Date(1899, 12, 30+days, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// clockText returns seconds of the day as HH:MM:SS.
func clockText(secs int) string {
	b := make([]byte, 0, 8)
	for i, v := range [3]int{secs / 3600, secs / 60 % 60, secs % 60} {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, byte('0'+v/10), byte('0'+v%10))
	}
	return string(b)
}
