// Package workerpb is the generated Go code for worker.proto, the gRPC
// service between the lssr orchestrator and its worker processes. Do not
// edit the .pb.go files: change worker.proto and run gen.sh.
package workerpb
