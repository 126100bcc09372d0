package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ruralrelief/fangpin/ledger"
	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
)

// The API's error codes. They are stable: programs match them, so a code is
// only ever added, never renamed or reused.
const (
	codeBadJSON          = "bad-json"           // the body is not JSON, or not the JSON asked for
	codeUnknownField     = "unknown-field"      // a key that is not an input of the rule
	codeDuplicateField   = "duplicate-field"    // the same input twice (by name or label)
	codeMissingInput     = "missing-input"      // an input the rule reads is missing or empty
	codeInvalidInput     = "invalid-input"      // an input that cannot be read as its type
	codeCannotDecide     = "cannot-decide"      // the policy cannot decide (no parameter value in force)
	codeUnknownRule      = "unknown-rule"       // no rule of that id
	codeNotFound         = "not-found"          // no such path
	codeMethodNotAllowed = "method-not-allowed" // the path exists for another method
	codeBodyTooLarge     = "body-too-large"     // the body is over the limit
	codeTooManyRows      = "too-many-rows"      // a batch or sheet with more records than allowed
	codeLineTooLong      = "line-too-long"      // a JSONL line over the limit
	codeBadUpload        = "bad-upload"         // an upload form without a sheet, or a sheet that cannot be read
	codeUnsupportedType  = "unsupported-format" // a sheet that is not .csv, .xlsx or .jsonl
	codeInternal         = "internal"           // a fault of the server; the log has the details
	codeNoLedger         = "no-ledger"          // recording asked of a server started without --ledger
	codeLedgerConflict   = "ledger-conflict"    // another batch paid the same grant or months since this one was checked; nothing recorded
)

// apiError is an error as the API answers it.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Message }

// InputField names the input the error is about, so rules.ProblemOf (and
// the decision object's "error") carries it.
func (e *apiError) InputField() string { return e.Field }

func errorf(status int, code, field, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// classify turns an error from deciding into the API's error: which field,
// which code, which status.
func classify(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ie *rules.InputError
	if errors.As(err, &ie) {
		if errors.Is(ie.Err, rules.ErrMissing) {
			return errorf(http.StatusUnprocessableEntity, codeMissingInput, ie.Field, "%s (%s) is missing", ie.Field, ie.Label)
		}
		return errorf(http.StatusUnprocessableEntity, codeInvalidInput, ie.Field, "%s (%s): %v", ie.Field, ie.Label, ie.Err)
	}
	var fe *loan.FieldError
	if errors.As(err, &fe) {
		if errors.Is(fe.Err, rules.ErrMissing) {
			return errorf(http.StatusUnprocessableEntity, codeMissingInput, fe.Field, "%v", err)
		}
		return errorf(http.StatusUnprocessableEntity, codeInvalidInput, fe.Field, "%v", err)
	}
	if errors.Is(err, rules.ErrUnknownRule) {
		return errorf(http.StatusNotFound, codeUnknownRule, "", "%v", err)
	}
	var ee *rules.EvalError
	if errors.As(err, &ee) {
		return errorf(http.StatusUnprocessableEntity, codeCannotDecide, "", "%v", err)
	}
	var conflict *ledger.ConflictError
	if errors.As(err, &conflict) {
		return errorf(http.StatusConflict, codeLedgerConflict, "", "nothing was recorded: %v; run the batch again to see which records the ledger now refuses", err)
	}
	var le *ledger.InputError
	if errors.As(err, &le) {
		return errorf(http.StatusUnprocessableEntity, codeInvalidInput, le.Field, "%v", err)
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errorf(http.StatusRequestEntityTooLarge, codeBodyTooLarge, "", "the request is larger than %d bytes", tooLarge.Limit)
	}
	return errorf(http.StatusInternalServerError, codeInternal, "", "%v", err)
}
