// Package bench holds netscript's benchmarks against the shell way: each
// benchmark runs a workload through netscript (in-process, the way the
// runner does) and through its shell twin, a bash script in this folder
// that does the same work with iproute2, iputils ping and "ip netns",
// inside a private sandbox (unshare --mount --net with a tmpfs on /run).
// Both report wall time (ns/op) and CPU time, user+sys of this process and
// its children (cpu-ns/op), so every figure can be read as a ratio.
//
// Run them with "make bench", which also writes BENCHMARKS.md and
// bench/cost.svg (see ./report). They need root and the real tools; they
// skip otherwise. Plain "go test ./..." runs no benchmark.
package bench
