#!/bin/bash
# The shell twin of the mesh benchmarks: a full mesh of N namespaces, one
# veth pair per pair of namespaces, each namespace with 10.0.0.I/32 on its
# loopback and a host route to every neighbour, then every ordered pair
# checked with ping, one after another, as a shell script does it.
#
#   mesh.sh N all     set up with one ip process per command, then check
#   mesh.sh N setup   set up only, one ip process per command
#   mesh.sh N batch   set up only, with ip -batch: the floor for set-up
#
# Run it in a sandbox: unshare --mount --net, with a tmpfs on /run.
set -eu
n=$1 mode=$2

if [ "$mode" = batch ]; then
	f=$(mktemp)
	trap 'rm -f "$f" "$f".*' EXIT
	{
		for ((i = 1; i <= n; i++)); do echo "netns add ns$i"; done
		for ((i = 1; i <= n; i++)); do
			for ((j = i + 1; j <= n; j++)); do
				echo "link add v$i-$j netns ns$i type veth peer name v$j-$i netns ns$j"
			done
		done
	} >"$f"
	ip -batch "$f"
	for ((i = 1; i <= n; i++)); do
		{
			echo "addr add 10.0.0.$i/32 dev lo"
			echo "link set lo up"
			for ((j = 1; j <= n; j++)); do
				[ $i = $j ] || echo "link set v$i-$j up"
			done
			for ((j = 1; j <= n; j++)); do
				[ $i = $j ] || echo "route add 10.0.0.$j dev v$i-$j"
			done
		} >"$f.$i"
		ip -n ns$i -batch "$f.$i"
	done
	exit 0
fi

for ((i = 1; i <= n; i++)); do ip netns add ns$i; done
for ((i = 1; i <= n; i++)); do
	for ((j = i + 1; j <= n; j++)); do
		ip -n ns$i link add v$i-$j type veth peer name v$j-$i netns ns$j
	done
done
for ((i = 1; i <= n; i++)); do
	ip -n ns$i addr add 10.0.0.$i/32 dev lo
	ip -n ns$i link set lo up
done
for ((i = 1; i <= n; i++)); do
	for ((j = 1; j <= n; j++)); do
		[ $i = $j ] || ip -n ns$i link set v$i-$j up
	done
done
for ((i = 1; i <= n; i++)); do
	for ((j = 1; j <= n; j++)); do
		[ $i = $j ] || ip -n ns$i route add 10.0.0.$j dev v$i-$j
	done
done
[ "$mode" = setup ] && exit 0

# reach's semantics: resend every 10 ms until a reply, for up to 2 s.
for ((i = 1; i <= n; i++)); do
	for ((j = 1; j <= n; j++)); do
		[ $i = $j ] || ip netns exec ns$i ping -q -c 1 -i 0.01 -w 2 10.0.0.$j >/dev/null
	done
done
