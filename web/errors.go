package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
)

// errBadQuery is wrapped by the errors of a query a page cannot read: they
// answer 400.
var errBadQuery = errors.New("bad query")

func badQuery(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadQuery, fmt.Sprintf(format, args...))
}

// errNotFound is wrapped by the errors of a page that does not exist: they
// answer 404, as the store's missing sweep and job do.
var errNotFound = errors.New("not found")

// statusOf maps an error to its HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errBadQuery):
		return http.StatusBadRequest
	case errors.Is(err, errNotFound), errors.Is(err, store.ErrSweepNotFound), errors.Is(err, store.ErrJobNotFound),
		errors.Is(err, report.ErrNoCurves):
		return http.StatusNotFound
	case errors.Is(err, store.ErrLocked):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errNotFound, fmt.Sprintf(format, args...))
}
