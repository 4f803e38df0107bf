package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// BenchmarkShards: the shipped suite's wall time as one "netscript run"
// against two shards run side by side on this machine, as two CI machines
// would run them, split by name hash and balanced by an earlier run's
// times (-durations). It reports the shards' balance: the slowest shard's
// wall time over the mean of both.
func BenchmarkShards(b *testing.B) {
	require(b)
	dir := b.TempDir()
	bin := filepath.Join(dir, "netscript")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/netscript").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	durations := filepath.Join(dir, "durations.json")
	out, err := exec.Command(bin, "run", "-json", "../scenarios").Output()
	if err != nil {
		b.Fatalf("netscript run -json: %v\n%s", err, out)
	}
	if err := os.WriteFile(durations, out, 0o644); err != nil {
		b.Fatal(err)
	}
	// shards runs n processes side by side, one shard each, and returns
	// their wall times.
	shards := func(n int, extra ...string) ([]time.Duration, error) {
		walls := make([]time.Duration, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for k := 1; k <= n; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				args := append([]string{"run", "-shard", fmt.Sprintf("%d/%d", k, n)}, extra...)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, append(args, "../scenarios")...)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				start := time.Now()
				if err := cmd.Run(); err != nil {
					errs[k-1] = fmt.Errorf("netscript %q: %v\n%s", args, err, out.String())
				}
				walls[k-1] = time.Since(start)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		return walls, nil
	}
	for _, c := range []struct {
		name  string
		n     int
		extra []string
	}{
		{"1-shard", 1, nil},
		{"2-shards-hash", 2, nil},
		{"2-shards-durations", 2, []string{"-durations", durations}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var balance float64
			runs := 0
			measure(b, func() error {
				walls, err := shards(c.n, c.extra...)
				if err != nil {
					return err
				}
				var sum, most time.Duration
				for _, w := range walls {
					sum += w
					most = max(most, w)
				}
				balance += float64(most) / (float64(sum) / float64(len(walls)))
				runs++
				return nil
			}, false)
			b.ReportMetric(balance/float64(runs), "max/mean")
		})
	}
}
