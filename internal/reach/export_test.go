package reach

import (
	"net/netip"
	"testing"
)

// InjectSendError makes every request sent to dst fail with err, until t
// ends; requests to other destinations go out as usual.
func InjectSendError(t testing.TB, dst netip.Addr, err error) {
	orig := send
	send = func(s *echoSock, b []byte) error {
		if s.dst == dst {
			return err
		}
		return orig(s, b)
	}
	t.Cleanup(func() { send = orig })
}
