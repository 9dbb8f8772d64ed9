#!/usr/bin/env bash
# voice-lab: a throwaway Janus (VideoRoom) and coturn in a network namespace of their own, for the voice tests.
#
# Why a namespace: Janus 1.1 never gathers ICE candidates on loopback, and the tests may not send media to the
# machine's real interface. So the lab gets its own namespace joined to the host by a veth pair on a private /24
# that this script picks (10.213.N.0/24, checked free), used only on that pair:
#
#   host namespace: the tests, Chromium         lab namespace: Janus, coturn
#   <veth>h  10.213.N.1/24  <------------------>  <veth>n  10.213.N.2/24, lo
#
# The lab namespace has no default route: Janus and coturn can only ever reach the host end of the pair. The host
# reaches the lab by the connected /24 route on its end. Janus's HTTP API listens on 10.213.N.2:8088, coturn on
# 10.213.N.2:3478 (UDP and TCP), relaying on 10.213.N.2 ports 30000-30999; Janus's RTP ports are 20000-20999.
# With --janus K, K Janus instances run side by side (as several instances KamaChat spreads rooms over): the i-th
# (from 0) on port 8088+i with RTP ports 20000+1000i to 20999+1000i, all with the same API secret and admin key.
#
# Usage: voice-lab.sh [--parent PID] [--session-timeout SECONDS] [--janus K] [--prefix NAME] [--subnet A.B]
# --prefix and --subnet keep another kind of lab apart from the tests' (default kamachat-voice, 10.213): the bench
# (./kamachat bench calls) uses kamachat-callbench on 10.214, so neither removes, nor addresses over, the other's.
# Prints one line "READY {json}" (addresses, URLs: janusUrl the first Janus, janusUrls all; secrets, log folder)
# or "FAILED reason" on stdout, then stays in the foreground until it gets SIGTERM/SIGINT or the parent process
# (default: the caller) is gone, and tears everything down: processes, namespace, veth pair, files. Labs left by a
# killed run (their parent pid is gone) are removed by the next run. Needs root (CI runs as root), iproute2, janus
# and coturn (Debian packages).
set -uo pipefail

parent=$PPID
session_timeout=30
janus_count=1
prefix=kamachat-voice
subnet_base=10.213
while [ $# -gt 0 ]; do
  case "$1" in
    --parent) parent=$2; shift 2 ;;
    --session-timeout) session_timeout=$2; shift 2 ;;
    --janus) janus_count=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --subnet) subnet_base=$2; shift 2 ;;
    *) echo "FAILED unknown argument: $1"; exit 2 ;;
  esac
done
[[ $janus_count =~ ^[1-9]$ ]] || { echo "FAILED --janus must be 1 to 9"; exit 2; }
[[ $prefix =~ ^[a-z][a-z0-9-]{0,30}$ ]] || { echo "FAILED --prefix must be lowercase letters, digits and dashes"; exit 2; }
[[ $subnet_base =~ ^10\.([0-9]{1,3})$ ]] && [ "${BASH_REMATCH[1]}" -le 255 ] || { echo "FAILED --subnet must be 10.B (a private 10.B.N.0/24 is picked in it)"; exit 2; }

log() { printf '[voice-lab] %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { echo "FAILED the voice tests create a network namespace, which needs root (CI runs as root)"; exit 1; }
for tool in ip janus turnserver; do
  command -v "$tool" >/dev/null || { echo "FAILED $tool is not installed (Debian packages: iproute2, janus, coturn)"; exit 1; }
done

# Labs whose owner is gone (a test host killed before its teardown ran).
for stale in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
  owner=${stale#"$prefix"-}; owner=${owner%%-*}
  kill -0 "$owner" 2>/dev/null && continue
  log "removing the stale lab $stale"
  for pid in $(ip netns pids "$stale" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  ip netns del "$stale" 2>/dev/null
done

id=$(printf '%04x%04x' $RANDOM $RANDOM)
ns="$prefix-$parent-$id"
veth_host="kv${id}h"
veth_lab="kv${id}n"
dir=$(mktemp -d /tmp/kamachat-voice-lab-XXXXXX)
janus_pids=""
coturn_pid=""

cleanup() {
  for pid in $janus_pids $coturn_pid $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # Deleting the namespace destroys its end of the pair, which takes the host end with it.
  ip netns del "$ns" 2>/dev/null
  ip link del "$veth_host" 2>/dev/null
  [ -n "${KAMACHAT_VOICE_LAB_KEEP:-}" ] || rm -rf "$dir"
}
fail() { echo "FAILED $*"; cleanup; exit 1; }
trap 'cleanup; exit 0' TERM INT HUP

# A /24 that no other lab uses and that no real network on this machine covers (its route goes via the default
# gateway, or nowhere). The lock keeps parallel runs from picking the same one.
exec 9>"/tmp/$prefix-lab.lock"
flock -w 30 9 || fail "could not take the address lock"
subnet=""
for _ in $(seq 1 64); do
  n=$((RANDOM % 256))
  ip -4 -o addr show | grep -qF " $subnet_base.$n." && continue
  route=$(ip -4 route get "$subnet_base.$n.2" 2>/dev/null || true)
  [ -z "$route" ] || grep -q ' via ' <<<"$route" || continue
  subnet=$n; break
done
[ -n "$subnet" ] || fail "no free $subnet_base.N.0/24 for the lab"
host_address="$subnet_base.$subnet.1"
lab_address="$subnet_base.$subnet.2"
ip netns add "$ns" || fail "ip netns add $ns failed"
ip link add "$veth_host" type veth peer name "$veth_lab" netns "$ns" || fail "could not create the veth pair"
ip addr add "$host_address/24" dev "$veth_host" && ip link set "$veth_host" up \
  && ip -n "$ns" addr add "$lab_address/24" dev "$veth_lab" && ip -n "$ns" link set "$veth_lab" up \
  && ip -n "$ns" link set lo up || fail "could not address the veth pair"
flock -u 9

secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_'; }
api_secret=$(secret)
admin_key=$(secret)
turn_secret=$(secret)

# Janus: only the HTTP transport and the VideoRoom plugin, from Debian's library folder.
lib=""
for candidate in /usr/lib/*/janus /usr/lib/janus /usr/local/lib/janus /opt/janus/lib/janus; do
  [ -f "$candidate/plugins/libjanus_videoroom.so" ] && { lib=$candidate; break; }
done
[ -n "$lib" ] || fail "the Janus VideoRoom plugin (libjanus_videoroom.so) was not found"
# The i-th instance (from 0) in $dir/janus (the first, as before) or $dir/janus<i>, logging to janus.log or janus<i>.log.
start_janus() {
  local i=$1 name=janus
  [ "$i" -gt 0 ] && name="janus$i"
  local conf="$dir/$name" port=$((8088 + i)) rtp_min=$((20000 + 1000 * i))
  mkdir -p "$conf/plugins" "$conf/transports" "$conf/none"
  ln -s "$lib/plugins/libjanus_videoroom.so" "$conf/plugins/"
  ln -s "$lib/transports/libjanus_http.so" "$conf/transports/"
  cat >"$conf/janus.jcfg" <<EOF
general: {
	configs_folder = "$conf"
	plugins_folder = "$conf/plugins"
	transports_folder = "$conf/transports"
	events_folder = "$conf/none"
	loggers_folder = "$conf/none"
	debug_level = 4
	debug_colors = false
	api_secret = "$api_secret"
	session_timeout = $session_timeout
	server_name = "kamachat-voice-lab-$i"
	hide_dependencies = true
}
media: {
	rtp_port_range = "$rtp_min-$((rtp_min + 999))"
}
nat: {
	nice_debug = false
}
EOF
  cat >"$conf/janus.transport.http.jcfg" <<EOF
general: {
	json = "plain"
	base_path = "/janus"
	http = true
	ip = "$lab_address"
	port = $port
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
EOF
  cat >"$conf/janus.plugin.videoroom.jcfg" <<EOF
general: {
	admin_key = "$admin_key"
}
EOF
  ip netns exec "$ns" janus -F "$conf" >"$dir/$name.log" 2>&1 &
  janus_pids="$janus_pids $!"
}
for i in $(seq 0 $((janus_count - 1))); do start_janus "$i"; done

ip netns exec "$ns" turnserver -n --listening-ip="$lab_address" --relay-ip="$lab_address" --listening-port=3478 \
  --min-port=30000 --max-port=30999 --use-auth-secret --static-auth-secret="$turn_secret" --realm=kamachat.test \
  --fingerprint --no-tls --no-dtls --no-cli --no-software-attribute --no-rfc5780 \
  --userdb="$dir/turndb" --pidfile="$dir/turnserver.pid" --log-file=stdout --simple-log >"$dir/coturn.log" 2>&1 &
coturn_pid=$!

janus_answers() {
  local port
  for port in $(seq 8088 $((8088 + janus_count - 1))); do janus_answers_on "$port" || return 1; done
}
janus_answers_on() {
  # A plain HTTP GET with bash's /dev/tcp, so the lab needs no curl.
  { exec 8<>"/dev/tcp/$lab_address/$1"; } 2>/dev/null || return 1
  printf 'GET /janus/info HTTP/1.0\r\nHost: %s\r\n\r\n' "$lab_address" >&8
  local status
  read -r -t 2 status <&8
  exec 8<&- 8>&-
  [[ $status == *" 200 "* ]]
}
coturn_listens() { ip netns exec "$ns" ss -Hlun "sport = :3478" 2>/dev/null | grep -q 3478; }

for _ in $(seq 1 100); do
  for pid in $janus_pids; do
    kill -0 "$pid" 2>/dev/null || fail "janus exited: $(tail -c 2000 "$dir"/janus*.log | tr '\n' ' ')"
  done
  kill -0 "$coturn_pid" 2>/dev/null || fail "turnserver exited: $(tail -c 2000 "$dir/coturn.log" | tr '\n' ' ')"
  janus_answers && coturn_listens && break
  sleep 0.1
done
janus_answers && coturn_listens || fail "janus or coturn did not come up within 10 s (logs in $dir)"

janus_urls=""
for port in $(seq 8088 $((8088 + janus_count - 1))); do janus_urls="$janus_urls${janus_urls:+,}\"http://$lab_address:$port/janus\""; done
printf 'READY {"namespace":"%s","hostAddress":"%s","labAddress":"%s","janusUrl":"http://%s:8088/janus","janusUrls":[%s],"janusApiSecret":"%s","janusAdminKey":"%s","turnUrl":"turn:%s:3478","turnSecret":"%s","turnRealm":"kamachat.test","stunUrl":"stun:%s:3478","logDirectory":"%s"}\n' \
  "$ns" "$host_address" "$lab_address" "$lab_address" "$janus_urls" "$api_secret" "$admin_key" "$lab_address" "$turn_secret" "$lab_address" "$dir"
log "up: $ns, janus at $lab_address:8088 and up (pids$janus_pids), coturn at $lab_address:3478 (pid $coturn_pid); owner pid $parent"

while kill -0 "$parent" 2>/dev/null; do
  sleep 1 &
  wait $!
done
log "owner $parent is gone: tearing $ns down"
cleanup
