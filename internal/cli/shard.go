package cli

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/netscript/netscript/runner"
)

// Where CI engines say which part of a split suite a process runs.
const (
	// Kubernetes Indexed Jobs give each pod its index, from 0.
	jobIndexEnv = "JOB_COMPLETION_INDEX"
	// shardsEnv gives the number of shards where the engine does not
	// (Kubernetes: the Job's completions).
	shardsEnv = "NETSCRIPT_SHARDS"
	// Bazel names the file it reads a test's JUnit report from.
	bazelXMLEnv = "XML_OUTPUT_FILE"
)

// shardFlags are the sharding flags of "netscript run".
type shardFlags struct {
	shard     string
	shards    int
	durations string
}

func (f *shardFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.shard, "shard", "", "run only the `K/N`-th part of the scenarios")
	fs.IntVar(&f.shards, "shards", 0, "the number of shards of a Kubernetes Indexed Job")
	fs.StringVar(&f.durations, "durations", "", "balance shards by the times in this -json `file`")
}

// pick returns the shard this process runs, from the flags or else the
// environment (Bazel's, then a Kubernetes Indexed Job's), or nil when the
// run is not sharded.
func (f *shardFlags) pick(getenv func(string) string) (*runner.Shard, error) {
	if f.shard != "" {
		if f.shards != 0 {
			return nil, fmt.Errorf("-shards is the total of a Kubernetes Indexed Job; -shard %s gives it already", f.shard)
		}
		s, err := runner.ParseShard(f.shard)
		if err != nil {
			return nil, fmt.Errorf("-shard: %w", err)
		}
		return &s, nil
	}
	s, ok, err := runner.BazelShard(getenv)
	if err != nil {
		return nil, fmt.Errorf("bazel sharding: %w", err)
	}
	if ok {
		return &s, nil
	}
	index := getenv(jobIndexEnv)
	if index == "" {
		if f.shards != 0 {
			return nil, fmt.Errorf("-shards %d needs %s (a Kubernetes Indexed Job); elsewhere use -shard K/N", f.shards, jobIndexEnv)
		}
		return nil, nil
	}
	i, err := strconv.Atoi(index)
	if err != nil {
		return nil, fmt.Errorf("%s=%q is not a number", jobIndexEnv, index)
	}
	total := f.shards
	if total == 0 {
		env := getenv(shardsEnv)
		if env == "" {
			return nil, fmt.Errorf("%s=%s but the number of shards is unknown: give -shards N or %s=N (the Job's completions)", jobIndexEnv, index, shardsEnv)
		}
		if total, err = strconv.Atoi(env); err != nil {
			return nil, fmt.Errorf("%s=%q is not a number", shardsEnv, env)
		}
	}
	s = runner.Shard{Index: i + 1, Total: total}
	if msg := s.Valid(); msg != "" {
		return nil, fmt.Errorf("%s=%s with %d shards: %s", jobIndexEnv, index, total, msg)
	}
	return &s, nil
}

// shardRun narrows files to the shard this process runs, and points -junit
// at Bazel's XML_OUTPUT_FILE when it is set and -junit is not. It reports
// the shard on stderr.
func shardRun(files []scenarioFile, f *runFlags, getenv func(string) string, stderr io.Writer) ([]scenarioFile, error) {
	if f.junit == "" {
		f.junit = getenv(bazelXMLEnv)
	}
	s, err := f.sharding.pick(getenv)
	if err != nil {
		return nil, err
	}
	if s == nil {
		if f.sharding.durations != "" {
			return nil, fmt.Errorf("-durations balances shards: give -shard K/N too")
		}
		return files, nil
	}
	var durations map[string]time.Duration
	if f.sharding.durations != "" {
		if durations, err = readDurations(f.sharding.durations); err != nil {
			return nil, err
		}
	}
	paths := make([]string, len(files))
	byPath := make(map[string]scenarioFile, len(files))
	for i, sf := range files {
		paths[i] = sf.path
		byPath[sf.path] = sf
	}
	var kept []scenarioFile
	for _, path := range s.Select(paths, durations) {
		kept = append(kept, byPath[path])
	}
	fmt.Fprintf(stderr, "netscript run: shard %s: %d of %d scenarios\n", s, len(kept), len(files))
	return kept, nil
}

// readDurations reads each scenario's time from a -json stream (or a
// concatenation of several).
func readDurations(path string) (map[string]time.Duration, error) {
	rep, err := readReports([]string{path})
	if err != nil {
		return nil, fmt.Errorf("-durations: %w", err)
	}
	durations := make(map[string]time.Duration)
	for _, r := range rep.results {
		durations[r.name] = r.elapsed
	}
	return durations, nil
}

// runEmptyShard reports a shard that holds no scenario: nothing to run,
// which is no failure.
func runEmptyShard(f runFlags, stdout, stderr io.Writer) int {
	var rep reporter
	if f.json {
		rep = newJSONReporter(stdout)
	} else {
		rep = newTextReporter(stdout, f.verbose, 0)
	}
	rep.finished(summary{})
	if f.junit != "" {
		if err := writeJUnit(f.junit, summary{}); err != nil {
			fmt.Fprintf(stderr, "netscript run: %v\n", err)
			return exitUsage
		}
	}
	return exitOK
}
