package lssr

import (
	"errors"
	"fmt"
	"testing"
)

func TestBadField(t *testing.T) {
	err := BadField("dataset.n", "%d exceeds the %d examples in %s", 70000, 60000, "train.gz")
	if got, want := err.Error(), "dataset.n: 70000 exceeds the 60000 examples in train.gz"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Wrapped once more, as callers do, it is still bad input and still
	// names its field.
	wrapped := fmt.Errorf("job 1: %w", err)
	if !errors.Is(wrapped, ErrBadInput) {
		t.Error("a FieldError is not ErrBadInput")
	}
	var fe *FieldError
	if !errors.As(wrapped, &fe) || fe.Path != "dataset.n" || fe.Msg != "70000 exceeds the 60000 examples in train.gz" {
		t.Errorf("errors.As found %+v, want path dataset.n and the message", fe)
	}
	// BadInput's errors carry no field.
	if errors.As(BadInput("dataset.n: too big"), &fe) {
		t.Error("errors.As found a FieldError in a BadInput")
	}
}
