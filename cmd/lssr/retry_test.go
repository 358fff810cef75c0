package main

import (
	"slices"
	"testing"

	"github.com/lssr/lssr/store"
)

// TestRetryHasAFlagPerRetryableState: `sweep retry` reads one flag per
// state store.Retryable lists; a state without its flag could never be
// retried (c.Bool of an undefined flag is false).
func TestRetryHasAFlagPerRetryableState(t *testing.T) {
	var names []string
	for _, f := range sweepRetryCommand().Flags {
		names = append(names, f.Names()...)
	}
	for _, s := range store.Retryable() {
		if !slices.Contains(names, string(s)) {
			t.Errorf("sweep retry has no --%s flag (flags: %v)", s, names)
		}
	}
}
