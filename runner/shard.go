package runner

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Shard is one of Total disjoint parts of a scenario set: the Index-th,
// counted from 1. Every scenario falls in exactly one shard of a split.
type Shard struct {
	Index, Total int
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Total) }

// Valid reports why s is not a shard of a split, or "".
func (s Shard) Valid() string {
	switch {
	case s.Total < 1:
		return fmt.Sprintf("the number of shards must be at least 1, not %d", s.Total)
	case s.Index < 1 || s.Index > s.Total:
		return fmt.Sprintf("shard %d of %d does not exist: shards count from 1 to %d", s.Index, s.Total, s.Total)
	}
	return ""
}

// ParseShard reads "K/N": the K-th of N shards, K from 1 to N.
func ParseShard(text string) (Shard, error) {
	k, n, ok := strings.Cut(text, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want K/N, such as 1/3", text)
	}
	var s Shard
	var err error
	if s.Index, err = strconv.Atoi(k); err != nil {
		return Shard{}, fmt.Errorf("shard %q: K is not a number", text)
	}
	if s.Total, err = strconv.Atoi(n); err != nil {
		return Shard{}, fmt.Errorf("shard %q: N is not a number", text)
	}
	if msg := s.Valid(); msg != "" {
		return Shard{}, fmt.Errorf("shard %q: %s", text, msg)
	}
	return s, nil
}

// Select returns the files of shard s in Split(files, s.Total, durations),
// in their given order.
func (s Shard) Select(files []string, durations map[string]time.Duration) []string {
	return Split(files, s.Total, durations)[s.Index-1]
}

// Split divides files into n disjoint shards: every file is in exactly one.
// Given the durations of earlier runs (by scenario name), it balances the
// shards' total times greedily, longest scenario first, each into the
// shard with the least time so far (a scenario without a duration counts
// as the mean of those with one). Without durations, a scenario's shard is
// a hash of its name: stable as scenarios come and go. Every process that
// splits the same files with the same durations gets the same shards.
func Split(files []string, n int, durations map[string]time.Duration) [][]string {
	shards := make([][]string, n)
	of := make([]int, len(files)) // shard of each file
	known := 0
	var sum time.Duration
	for _, f := range files {
		if d, ok := durations[ScenarioName(f)]; ok {
			known++
			sum += d
		}
	}
	if known == 0 {
		for i, f := range files {
			h := fnv.New32a()
			h.Write([]byte(ScenarioName(f)))
			of[i] = int(h.Sum32() % uint32(n))
		}
	} else {
		mean := sum / time.Duration(known)
		cost := func(i int) time.Duration {
			if d, ok := durations[ScenarioName(files[i])]; ok {
				return d
			}
			return mean
		}
		order := make([]int, len(files))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int {
			if c := cmp.Compare(cost(b), cost(a)); c != 0 {
				return c
			}
			return cmp.Compare(files[a], files[b])
		})
		load := make([]time.Duration, n)
		for _, i := range order {
			least := 0
			for k := range load {
				if load[k] < load[least] {
					least = k
				}
			}
			of[i] = least
			load[least] += cost(i)
		}
	}
	for i, f := range files {
		shards[of[i]] = append(shards[of[i]], f)
	}
	return shards
}

// Bazel's test sharding protocol: a test target with shard_count runs as
// TEST_TOTAL_SHARDS processes, each given its TEST_SHARD_INDEX (from 0),
// and each touches TEST_SHARD_STATUS_FILE to say it honours them.
const (
	BazelTotalShards     = "TEST_TOTAL_SHARDS"
	BazelShardIndex      = "TEST_SHARD_INDEX"
	BazelShardStatusFile = "TEST_SHARD_STATUS_FILE"
)

// BazelShard reads Bazel's sharding variables with getenv: ok is false when
// the test is not sharded. It touches the status file when one is named.
func BazelShard(getenv func(string) string) (s Shard, ok bool, err error) {
	total := getenv(BazelTotalShards)
	if total == "" {
		return Shard{}, false, nil
	}
	if s.Total, err = strconv.Atoi(total); err != nil {
		return Shard{}, false, fmt.Errorf("%s=%q is not a number", BazelTotalShards, total)
	}
	index := getenv(BazelShardIndex)
	i, err := strconv.Atoi(index)
	if err != nil {
		return Shard{}, false, fmt.Errorf("%s=%s but %s=%q is not a number", BazelTotalShards, total, BazelShardIndex, index)
	}
	s.Index = i + 1
	if msg := s.Valid(); msg != "" {
		return Shard{}, false, fmt.Errorf("%s=%s, %s=%s: %s", BazelTotalShards, total, BazelShardIndex, index, msg)
	}
	if status := getenv(BazelShardStatusFile); status != "" {
		f, err := os.OpenFile(status, os.O_WRONLY|os.O_CREATE, 0o666)
		if err != nil {
			return Shard{}, false, fmt.Errorf("touch %s: %w", BazelShardStatusFile, err)
		}
		f.Close()
	}
	return s, true, nil
}

// WithShard runs only the k-th (from 1) of n disjoint shards of the
// scenarios, split by Split with no durations: run the same test with k
// from 1 to n, on n machines, to run every scenario once.
//
// Without WithShard, Run honours Bazel's TEST_TOTAL_SHARDS and
// TEST_SHARD_INDEX (and touches TEST_SHARD_STATUS_FILE), for a test binary
// that Bazel runs as an sh_test with shard_count. Under rules_go's go_test
// (whose test process has GO_TEST_WRAP=0), rules_go has already given each
// shard whole Test functions, so Run runs all its scenarios there.
func WithShard(k, n int) Option { return func(c *config) { c.shard = &Shard{k, n} } }

// shardFiles keeps the files of the shard cfg or the environment asks for.
func shardFiles(cfg config, files []string, getenv func(string) string) ([]string, error) {
	s := cfg.shard
	if s == nil {
		bazel, ok, err := BazelShard(getenv)
		if err != nil {
			return nil, err
		}
		if !ok || getenv("GO_TEST_WRAP") == "0" {
			return files, nil
		}
		s = &bazel
	}
	if msg := s.Valid(); msg != "" {
		return nil, fmt.Errorf("WithShard(%d, %d): %s", s.Index, s.Total, msg)
	}
	return s.Select(files, nil), nil
}
