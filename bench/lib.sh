# Shell stand-ins for netscript's own commands, for the suite's shell twin
# (scenarios translated by suite_test.go): what a shell script would do for
# each. Sourced, not run.

# secs D: a Go duration (300ms, 2s) or a number of seconds, in seconds.
secs() {
	case $1 in
	*ms) echo "0.$(printf '%03d' "${1%ms}")" ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}

# addr_of NS FAMILY: the namespace's global address.
addr_of() {
	ip -n "$1" -"$2" -o addr show scope global | awk '{print $4}' | sed 's,/.*,,' | sort -u | head -1
}

# reach [-t T] [-4|-6] TARGET...: ping every ordered pair, one at a time.
reach() {
	local t=2 fam=4 rc=0 src dst sns saddr dns daddr
	while :; do
		case $1 in
		-t) t=$(secs "$2"); shift 2 ;;
		-4) fam=4; shift ;;
		-6) fam=6; shift ;;
		*) break ;;
		esac
	done
	for src; do
		sns=${src%%=*}
		[[ $src == *=* || $src != *[.:]* ]] || continue # a bare address: no row
		for dst; do
			[ "$dst" = "$src" ] && continue
			if [[ $dst == *=* ]]; then daddr=${dst#*=}
			elif [[ $dst == *[.:]* ]]; then daddr=$dst
			else daddr=$(addr_of "$dst" $fam)
			fi
			timeout "$t" ip netns exec "$sns" ping -$fam -q -c 1 -i 0.01 -w 2 "$daddr" >/dev/null 2>&1 || rc=1
		done
	done
	return $rc
}

# retry [-t D] [!] CMD...: re-run CMD every 10 ms until it succeeds (or
# fails, with !) or D (default 5s) passes.
retry() {
	local t=5 neg=0 end
	[ "$1" = -t ] && { t=$(secs "$2"); shift 2; }
	[ "$1" = '!' ] && { neg=1; shift; }
	end=$((${EPOCHREALTIME/./} + $(awk "BEGIN{print int($t*1000000)}")))
	while :; do
		if "$@"; then [ $neg = 0 ] && return 0; else [ $neg = 1 ] && return 0; fi
		[ ${EPOCHREALTIME/./} -ge $end ] && return 1
		sleep 0.01
	done
}

pids=()
trap '[ ${#pids[@]} = 0 ] || kill "${pids[@]}" 2>/dev/null' EXIT

server='
import socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
try:
    s.bind((host, port))
    if proto == "tcp": s.listen()
except OSError as e:
    print("listen: %s %s:%d: %s" % (proto, host, port, e.strerror), flush=True); sys.exit(1)
print("ok", flush=True)
while True:
    if proto == "tcp":
        c, _ = s.accept(); c.sendall(b"hello from server\n"); c.close()
    else:
        _, a = s.recvfrom(2048); s.sendto(b"hello from server\n", a)
'

client='
import socket, sys, time
proto, host, port, t = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.settimeout(t)
try:
    s.connect((host, port))
    if proto == "udp":
        s.settimeout(0.01)
        end = time.time() + t
        while True:
            s.send(b"netscript\n")
            try: data = s.recv(2048); break
            except socket.timeout:
                if time.time() > end: raise
    else:
        data = s.recv(2048)
except socket.timeout:
    print("connect: %s %s:%d: timed out" % (proto, host, port), file=sys.stderr); sys.exit(1)
except OSError as e:
    print("connect: %s %s:%d: %s" % (proto, host, port, e.strerror), file=sys.stderr); sys.exit(1)
sys.stdout.write(data.decode())
'

# listen [-n NS] tcp|udp ADDR:PORT: a python3 server in the background.
listen() {
	local ns= line fd
	[ "$1" = -n ] && { ns=$2; shift 2; }
	exec {fd}< <(exec ip netns exec "$ns" python3 -c "$server" "$1" "${2%:*}" "${2##*:}")
	pids+=($!)
	read -r -u $fd line
	[ "$line" = ok ] && return 0
	echo "$line" >&2
	return 1
}

# connect [-n NS] [-t T] tcp|udp ADDR:PORT
connect() {
	local ns= t=2
	while :; do
		case $1 in
		-n) ns=$2; shift 2 ;;
		-t) t=$(secs "$2"); shift 2 ;;
		*) break ;;
		esac
	done
	ip netns exec "$ns" python3 -c "$client" "$1" "${2%:*}" "${2##*:}" "$t"
}

# recheck CMD TEST: re-run CMD and TEST (both shell text) every 10 ms for
# up to 2 s until TEST passes. Real tools see link changes (carrier,
# linkdown routes) only once the kernel's linkwatch runs, a few ms later;
# netscript settles them before the next command.
recheck() {
	retry -t 2s eval "$1 >\"\$d/out\" 2>\"\$d/err\"; $2"
}

# cmptime OUT GOLDEN: cmp, except ping's timing figures (time=, time Nms,
# the rtt values and ", pipe N", ipg/ewma), as netscript's cmptime compares.
cmptime() {
	local m='s/time=[0-9.]+ ms/time=T ms/g; s/time [0-9]+ms/time Tms/g; s#rtt min/avg/max/mdev = [0-9./]+ ms(, pipe [0-9]+)?#rtt T#; s#ipg/ewma [0-9./]+ ms#ipg/ewma T#'
	cmp -s <(sed -E "$m" "$1") <(sed -E "$m" "$2")
}
