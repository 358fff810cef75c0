//go:build tools

// Package tools pins the versions of the Go programs the Makefile runs, so
// that go.mod and go.sum record them and every checkout runs the same ones:
// `go run honnef.co/go/tools/cmd/staticcheck` takes the version required in
// go.mod. The build tag keeps the package out of every build.
package tools

import (
	_ "honnef.co/go/tools/cmd/staticcheck"
)
