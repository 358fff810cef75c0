package lssr

import (
	"slices"
	"testing"
)

func TestOneOf(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"relu", "tanh"}, "relu or tanh"},
		{[]string{"a", "b", "c"}, "a, b or c"},
	} {
		if got := OneOf(tc.values); got != tc.want {
			t.Errorf("OneOf(%q) = %q, want %q", tc.values, got, tc.want)
		}
	}
	if got, want := OneOf(Activations()), "relu or tanh"; got != want {
		t.Errorf("OneOf(Activations()) = %q, want %q", got, want)
	}
}

func TestStrings(t *testing.T) {
	if got, want := Strings(Losses()), []string{"cross-entropy", "mse"}; !slices.Equal(got, want) {
		t.Errorf("Strings(Losses()) = %q, want %q", got, want)
	}
}

// TestListsAreCopies: a caller that changes the list it got must not change
// what the next caller gets.
func TestListsAreCopies(t *testing.T) {
	ModelKinds()[0] = "rnn"
	Pools()[0] = "none"
	if ModelKinds()[0] != ModelMLP || Pools()[0] != PoolMax {
		t.Error("a list kept a caller's change")
	}
}
