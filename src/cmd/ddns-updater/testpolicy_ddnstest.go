//go:build ddnstest

package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/metrics"
	"sort"
	"strings"
	"syscall"
)

// Built with -tags ddnstest (only by tests), the program accepts the
// documentation address ranges that test data uses as public addresses.
//
// And with DDNS_MEMSTATS=FILE, SIGUSR2 writes the runtime's memory classes to
// FILE: how the benchmark says what each MiB of the daemon is (BENCHMARKS.md).
// No heap profile: linking runtime/pprof would switch the runtime's memory
// profiling on (the linker leaves it off in a program that cannot read it),
// and its bucket table would change what is measured.
func init() {
	policy.AllowDocumentation = true
	if file := os.Getenv("DDNS_MEMSTATS"); file != "" {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR2)
		go func() {
			for range c {
				writeMemStats(file)
			}
		}()
	}
}

func writeMemStats(file string) {
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") && d.Kind == metrics.KindUint64 {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	sort.Slice(samples, func(i, j int) bool { return samples[i].Name < samples[j].Name })
	var b strings.Builder
	for _, s := range samples {
		fmt.Fprintf(&b, "%s %d\n", s.Name, s.Value.Uint64())
	}
	os.WriteFile(file+".tmp", []byte(b.String()), 0o600)
	os.Rename(file+".tmp", file)
}
