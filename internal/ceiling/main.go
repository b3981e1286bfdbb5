// Command ceiling measures what more cores can give a program on this machine, as a
// yardstick for riglet's own GOMAXPROCS 1 vs 2 figures (make bench-targets). It does
// a fixed amount of work split over GOMAXPROCS goroutines that share nothing, so
// that any shortfall from GOMAXPROCS times faster is the machine's and the Go
// runtime's, not riglet's:
//
//	ceiling alu    integer arithmetic in registers: no memory, no collector
//	ceiling trees  what a compile does: each of 1,500 units builds a tree of 5,461
//	               small nodes (maps' keys, lists, strings), renders it to bytes and
//	               drops it, under compile's collector settings (GOGC 300, a 240 MiB
//	               soft memory target; GOGC and GOMEMLIMIT win, as they do for riglet)
//
// Time it as a whole process, as riglet is timed.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
)

type node struct {
	text  string
	keys  []string
	items []*node
}

func build(depth, fan int, tag string) *node {
	n := &node{text: tag + strconv.Itoa(depth)}
	if depth == 0 {
		return n
	}
	n.keys = make([]string, 0, fan)
	n.items = make([]*node, 0, fan)
	for i := range fan {
		n.keys = append(n.keys, "Key"+strconv.Itoa(i))
		n.items = append(n.items, build(depth-1, fan, tag))
	}
	return n
}

func render(n *node, b []byte) []byte {
	b = append(b, n.text...)
	for i, c := range n.items {
		b = append(b, n.keys[i]...)
		b = render(c, b)
	}
	return b
}

var sink atomic.Int64

// alu is one unit of arithmetic: a million steps of a linear congruential generator.
func alu(unit int) {
	x := uint64(unit)
	for range 1_000_000 {
		x = x*6364136223846793005 + 1442695040888963407
		x ^= x >> 29
	}
	sink.Add(int64(x & 1))
}

// trees is one unit of a compile's kind of work: build a tree, render it, drop it.
func trees(unit int) {
	t := build(6, 4, "svc"+strconv.Itoa(unit))
	sink.Add(int64(len(render(t, make([]byte, 0, 1<<16)))))
}

func main() {
	work := map[string]func(int){"alu": alu, "trees": trees}
	if len(os.Args) != 2 || work[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: ceiling alu|trees")
		os.Exit(2)
	}
	if os.Getenv("GOMEMLIMIT") == "" { // as riglet compile sets them, and lets the user's win
		debug.SetMemoryLimit(240 << 20)
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(300)
		}
	}
	do := work[os.Args[1]]
	units := map[string]int64{"alu": 600, "trees": 1500}[os.Args[1]] // about 0.8 s on one core
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			// one unit at a time from a shared counter, as riglet's workers take
			// templates, so that no goroutine idles while another has several left
			for u := next.Add(1); u <= units; u = next.Add(1) {
				do(int(u))
			}
		})
	}
	wg.Wait()
}
