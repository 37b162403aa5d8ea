// The real etcd command line, built from etcd's server module. `go install` of etcd refuses
// because its go.mod has replace directives, so this one-line main takes its place.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
