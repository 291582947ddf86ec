// Command floor is the smallest Go program that does what the daemon's
// checks cost the runtime: N TLS 1.3 handshakes with a GET each, one at a
// time, collected at 25 % as the daemon does, then its memory handed back. It
// prints its RssAnon in KiB: the floor below which no Go DDNS client that
// speaks HTTPS goes (BenchmarkTLSClientFloor).
//
//	floor ADDR CAFILE N
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

func main() {
	debug.SetGCPercent(25)
	ca, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	n, _ := strconv.Atoi(os.Args[3])
	for i := 0; i < n; i++ {
		c, err := tls.Dial("tcp", os.Args[1], &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err != nil {
			panic(err)
		}
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		io.ReadAll(c)
		c.Close()
	}
	debug.FreeOSMemory()
	time.Sleep(time.Second)
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "RssAnon:"); ok {
			fmt.Println(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
}
