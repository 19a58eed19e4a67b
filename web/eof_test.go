package web_test

import "io"

var errEOF = io.EOF
