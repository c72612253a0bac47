// go-module: a net/http server laid out as a Go module with its command
// under cmd/server, built by msbc's `go` toolchain preset.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/gomodule/internal/greet"
)

const version = "1.0.0"

func main() {
	showVersion := flag.Bool("version", false, "print version and exit")
	addr := flag.String("addr", ":9000", "listen address")
	flag.Parse()
	if *showVersion {
		fmt.Printf("go-module %s\n", version)
		os.Exit(0)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, greet.Hello())
	})
	log.Printf("go-module %s listening on %s", version, *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
