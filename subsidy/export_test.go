package subsidy

// Quote is quote, for the tests of how messages quote long text.
var Quote = quote
