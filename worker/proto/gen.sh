#!/bin/sh
# Regenerates worker.pb.go and worker_grpc.pb.go from worker.proto with
# pinned generators, so the committed code only changes when the .proto does.
# Needs protoc (3.21 tested: /usr/bin/protoc). Run from anywhere.
set -eu
cd "$(dirname "$0")"

PROTOC_GEN_GO=v1.36.12     # google.golang.org/protobuf, as in go.mod
PROTOC_GEN_GO_GRPC=v1.5.1  # google.golang.org/grpc/cmd/protoc-gen-go-grpc

BIN="$(go env GOPATH)/bin"
want() { # want TOOL VERSION: true when BIN/TOOL exists and reports VERSION
	[ -x "$BIN/$1" ] && "$BIN/$1" --version 2>&1 | grep -qw "${2#v}"
}
want protoc-gen-go "$PROTOC_GEN_GO" ||
	go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO"
want protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC" ||
	go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC"

PATH="$BIN:$PATH" protoc -I . \
	--go_out=. --go_opt=paths=source_relative \
	--go-grpc_out=. --go-grpc_opt=paths=source_relative \
	worker.proto
