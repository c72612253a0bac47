// seed-go: a tiny net/http server used by the msbc examples.
// It listens on :9000 and answers GET / and GET /healthz;
// `seedgo --version` prints the version and exits.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
)

const version = "1.0.0"

func main() {
	showVersion := flag.Bool("version", false, "print version and exit")
	addr := flag.String("addr", ":9000", "listen address")
	flag.Parse()

	if *showVersion {
		fmt.Printf("seed-go %s\n", version)
		os.Exit(0)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		fmt.Fprint(w, "hello from msbc\n")
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	})

	log.Printf("seed-go %s listening on %s", version, *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
