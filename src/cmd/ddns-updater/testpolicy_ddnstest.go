//go:build ddnstest

package main

// Built with -tags ddnstest (only by tests), the program accepts the
// documentation address ranges that test data uses as public addresses.
func init() { policy.AllowDocumentation = true }
