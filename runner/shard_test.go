package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func names(n int) []string {
	var files []string
	for i := range n {
		files = append(files, fmt.Sprintf("dir/s%02d.txtar", i))
	}
	return files
}

// checkPartition fails unless shards hold every file exactly once.
func checkPartition(t *testing.T, files []string, shards [][]string) {
	t.Helper()
	var all []string
	for _, s := range shards {
		all = append(all, s...)
	}
	slices.Sort(all)
	want := slices.Clone(files)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("shards %q do not hold each of %q once", shards, files)
	}
}

func TestSplitByHash(t *testing.T) {
	files := names(40)
	for n := 1; n <= 5; n++ {
		shards := Split(files, n, nil)
		checkPartition(t, files, shards)
		if n == 3 {
			for _, s := range shards {
				if len(s) == 0 {
					t.Errorf("3 shards of 40 scenarios: one is empty: %q", shards)
				}
			}
		}
	}
	// A scenario's shard depends on its name alone: adding scenarios
	// moves none.
	before := Split(files[:20], 3, nil)
	after := Split(files, 3, nil)
	for k := range before {
		for _, f := range before[k] {
			if !slices.Contains(after[k], f) {
				t.Errorf("%s moved from shard %d when scenarios were added", f, k+1)
			}
		}
	}
}

func TestSplitByDurations(t *testing.T) {
	files := []string{"a.txtar", "b.txtar", "c.txtar", "d.txtar", "e.txtar", "new.txtar"}
	durations := map[string]time.Duration{"a": 9 * time.Second, "b": 5 * time.Second,
		"c": 4 * time.Second, "d": 3 * time.Second, "e": 3 * time.Second}
	shards := Split(files, 3, durations)
	checkPartition(t, files, shards)
	// Longest first, each into the least loaded shard; "new" has no
	// duration and counts as the mean, 4.8s: a 9 -> 1, b 5 -> 2, new 4.8
	// -> 3, c 4 -> 3 (8.8), d 3 -> 2 (8), e 3 -> 2 (11).
	want := [][]string{{"a.txtar"}, {"b.txtar", "d.txtar", "e.txtar"}, {"c.txtar", "new.txtar"}}
	if fmt.Sprint(shards) != fmt.Sprint(want) {
		t.Errorf("Split = %q, want %q", shards, want)
	}
	if got := (Shard{2, 3}).Select(files, durations); !slices.Equal(got, want[1]) {
		t.Errorf("Select(2/3) = %q", got)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"1/3", ""}, {"3/3", ""}, {"1/1", ""},
		{"0/3", `shard "0/3": shard 0 of 3 does not exist: shards count from 1 to 3`},
		{"4/3", `shard "4/3": shard 4 of 3 does not exist: shards count from 1 to 3`},
		{"1/0", `shard "1/0": the number of shards must be at least 1, not 0`},
		{"3", `shard "3": want K/N, such as 1/3`},
		{"a/3", `shard "a/3": K is not a number`},
		{"1/b", `shard "1/b": N is not a number`},
	} {
		_, err := ParseShard(tc.in)
		if got := fmt.Sprint(err); (tc.err == "" && err != nil) || (tc.err != "" && got != tc.err) {
			t.Errorf("ParseShard(%q) = %v, want %q", tc.in, err, tc.err)
		}
	}
}

// TestBazelShards runs the Bazel protocol: each index gets its part, the
// parts cover the scenarios once, and the status file is touched.
func TestBazelShards(t *testing.T) {
	files := names(12)
	status := filepath.Join(t.TempDir(), "status")
	var shards [][]string
	for i := range 3 {
		env := map[string]string{BazelTotalShards: "3", BazelShardIndex: fmt.Sprint(i), BazelShardStatusFile: status}
		got, err := shardFiles(config{}, files, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, got)
	}
	checkPartition(t, files, shards)
	if _, err := os.Stat(status); err != nil {
		t.Errorf("the shard status file was not touched: %v", err)
	}
	// Under rules_go, Test functions are sharded already: all scenarios run.
	env := map[string]string{BazelTotalShards: "3", BazelShardIndex: "1", "GO_TEST_WRAP": "0"}
	if got, _ := shardFiles(config{}, files, func(k string) string { return env[k] }); !slices.Equal(got, files) {
		t.Errorf("under rules_go, the runner sharded again: %q", got)
	}
	// WithShard wins over the environment.
	got, err := shardFiles(config{shard: &Shard{1, 2}}, files, func(k string) string { return env[k] })
	if err != nil || !slices.Equal(got, Split(files, 2, nil)[0]) {
		t.Errorf("WithShard(1, 2) = %q, %v", got, err)
	}
	for _, tc := range []struct {
		env map[string]string
		err string
	}{
		{map[string]string{BazelTotalShards: "x"}, `TEST_TOTAL_SHARDS="x" is not a number`},
		{map[string]string{BazelTotalShards: "3"}, `TEST_TOTAL_SHARDS=3 but TEST_SHARD_INDEX="" is not a number`},
		{map[string]string{BazelTotalShards: "3", BazelShardIndex: "3"}, `TEST_TOTAL_SHARDS=3, TEST_SHARD_INDEX=3: shard 4 of 3 does not exist: shards count from 1 to 3`},
		{map[string]string{BazelTotalShards: "2", BazelShardIndex: "0", BazelShardStatusFile: "/nonexistent/dir/status"}, "touch TEST_SHARD_STATUS_FILE: open /nonexistent/dir/status: no such file or directory"},
	} {
		_, err := shardFiles(config{}, files, func(k string) string { return tc.env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("env %v: %v, want %q", tc.env, err, tc.err)
		}
	}
	if _, err := shardFiles(config{shard: &Shard{0, 2}}, files, os.Getenv); err == nil || err.Error() != "WithShard(0, 2): shard 0 of 2 does not exist: shards count from 1 to 2" {
		t.Errorf("WithShard(0, 2): %v", err)
	}
}
