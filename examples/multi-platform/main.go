// platforms: prints the platform it was compiled for, which is the
// platform of the image it ships in, whatever machine built it.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("built for %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
