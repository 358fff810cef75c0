// Package testutil holds the helpers that the tests of several lssr
// packages share: a relative error, seeded random bytes, file writers, an
// IDX encoder, a fake MNIST and a fake CIFAR-10, a safetensors round trip,
// the layout of a bbolt file and a builder of sweep specs.
//
// It is an ordinary package that only tests import. To keep it free of
// import cycles it imports none of the lssr packages whose own (internal)
// tests import it: not the root package lssr, nor dataset, store, sweeps,
// trainer or orchestrator. It imports internal/safetensors, whose tests do
// not import it.
package testutil
