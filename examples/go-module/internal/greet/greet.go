// Package greet holds the answer the server gives.
package greet

// Hello is the body of GET /.
func Hello() string { return "hello from a Go module\n" }
