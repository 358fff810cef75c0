package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

func TestCheckServeAddr(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
		bad    string // in the error; "" when the address is accepted
	}{
		{"127.0.0.1:8080", false, ""},
		{"127.0.0.1:0", false, ""},
		{"127.5.6.7:80", false, ""}, // all of 127/8 is loopback
		{"[::1]:8080", false, ""},
		{"localhost:8080", false, ""},
		{"0.0.0.0:8080", false, "0.0.0.0 is not a loopback address: add --public"},
		{"[::]:8080", false, ":: is not a loopback address: add --public"},
		{":8080", false, "listens on every interface"},
		{"192.168.1.20:8080", false, "192.168.1.20 is not a loopback address"},
		{"10.0.0.1:80", false, "10.0.0.1 is not a loopback address"},
		{"0.0.0.0:8080", true, ""},
		{":8080", true, ""},
		{"192.168.1.20:8080", true, ""},
		{"8080", false, "want HOST:PORT"},
		{"127.0.0.1", false, "want HOST:PORT"},
		{"127.0.0.1:http", false, `port "http" is not a number`},
		{"127.0.0.1:70000", true, `port "70000" is not a number from 0 to 65535`},
		{"no-such-host.invalid:80", false, "does not resolve"},
	} {
		err := checkServeAddr(tc.addr, tc.public)
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("checkServeAddr(%q, %v) = %v, want nil", tc.addr, tc.public, err)
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad) || !errors.Is(err, lssr.ErrBadInput)):
			t.Errorf("checkServeAddr(%q, %v) = %v, want bad input with %q", tc.addr, tc.public, err, tc.bad)
		}
	}
}
