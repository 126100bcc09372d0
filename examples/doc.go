// Package examples holds end-to-end scenarios as Example tests, run by
// go test ./..., and the sample sheets in data/ that the README's command
// and the fangpin tool's tests use.
package examples
