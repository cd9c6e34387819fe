#!/usr/bin/env bash
# Starts, stops or reports a single-node Slurm cluster on localhost (Debian's slurm-wlm and munge),
# for the Slurm batch system's integration tests. Run as root. See docs/slurm.md.
#
#   bash scripts/slurm-local.sh start    install if needed, configure, start munged/slurmctld/slurmd, wait for the node
#   bash scripts/slurm-local.sh stop     stop the daemons this script started
#   bash scripts/slurm-local.sh status   print sinfo; exit 0 when the node is up
#
# Idempotent: start on a running cluster only checks it; stop on a stopped one does nothing.
set -uo pipefail

conf_dir=/etc/slurm
state_dir=/var/spool/slurmctld
slurmd_dir=/var/spool/slurmd
log_dir=/var/log/slurm
run_dir=/run/slurm
wait_seconds=${SLURM_LOCAL_WAIT_SECONDS:-60}

log() { echo "slurm-local: $*" >&2; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then log "must run as root"; exit 1; fi
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && command -v sinfo >/dev/null; then
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show slurm-wlm >/dev/null 2>&1; then
    log "apt-get update"
    timeout 300 apt-get update -qq || { log "apt-get update failed"; return 1; }
  fi
  log "installing slurm-wlm and munge"
  timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
    || { log "apt-get install slurm-wlm munge failed"; return 1; }
}

write_munge_key() {
  mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge 2>/dev/null || true
  chmod 0700 /etc/munge
  chmod 0400 /etc/munge/munge.key
}

write_config() {
  local cpus mem_mb real_mb host
  cpus=$(nproc)
  real_mb=$(free -m | awk '/^Mem:/ {print $2}')
  # Leave a quarter of the memory (at least 1 GiB) for the OS and the leader.
  mem_mb=$(( real_mb - (real_mb / 4 > 1024 ? real_mb / 4 : 1024) ))
  [ "$mem_mb" -lt 256 ] && mem_mb=256
  host=$(hostname -s)
  mkdir -p "$conf_dir" "$state_dir" "$slurmd_dir" "$log_dir" "$run_dir"
  cat > "$conf_dir/slurm.conf" <<CONF
# Written by scripts/slurm-local.sh: a single-node cluster on localhost for tests.
ClusterName=toil-local
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=${run_dir}/slurmctld.pid
SlurmdPidFile=${run_dir}/slurmd.pid
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=${state_dir}
SlurmdSpoolDir=${slurmd_dir}
SlurmctldLogFile=${log_dir}/slurmctld.log
SlurmdLogFile=${log_dir}/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
AccountingStorageType=accounting_storage/none
# jobacct_gather/linux with OverMemoryKill: without cgroups it is what stops a job over its --mem (see docs/slurm.md).
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherParams=OverMemoryKill
JobAcctGatherFrequency=1
JobCompType=jobcomp/none
InactiveLimit=0
KillWait=2
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
Waittime=0
SchedulerParameters=sched_interval=1
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
}

node_up() {
  local state
  state=$(timeout 10 sinfo -h -N -o '%T' 2>/dev/null | head -n1)
  case "$state" in idle*|mixed*|allocated*|completing*) return 0 ;; *) return 1 ;; esac
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  need_root
  install_packages || exit 1
  if command -v sinfo >/dev/null && node_up; then log "already running"; timeout 10 sinfo; return 0; fi
  write_munge_key
  write_config
  if ! timeout 5 munge -n </dev/null >/dev/null 2>&1; then
    log "starting munged"
    # --force: start even when an old socket is left behind by a killed daemon.
    su -s /bin/sh munge -c "munged --force" 2>/dev/null || munged --force || { log "munged failed to start"; exit 1; }
  fi
  if ! pid_alive "$run_dir/slurmctld.pid"; then
    log "starting slurmctld"
    slurmctld -c -f "$conf_dir/slurm.conf" || { log "slurmctld failed to start; see $log_dir/slurmctld.log"; exit 1; }
  fi
  if ! pid_alive "$run_dir/slurmd.pid"; then
    log "starting slurmd"
    slurmd -f "$conf_dir/slurm.conf" || { log "slurmd failed to start; see $log_dir/slurmd.log"; exit 1; }
  fi
  local deadline=$(( $(date +%s) + wait_seconds ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if node_up; then log "node is up"; timeout 10 sinfo; return 0; fi
    # A node that came back "down" after an earlier unclean stop is resumed.
    timeout 10 scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 || true
    sleep 1
  done
  log "the node did not become idle within ${wait_seconds}s"
  timeout 10 sinfo -N -l >&2 || true
  tail -n 20 "$log_dir/slurmctld.log" "$log_dir/slurmd.log" >&2 2>/dev/null || true
  exit 1
}

stop_pidfile() {
  local name=$1 file=$2 pid i
  pid_alive "$file" || return 0
  pid=$(cat "$file")
  log "stopping $name ($pid)"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  need_root
  stop_pidfile slurmd "$run_dir/slurmd.pid"
  stop_pidfile slurmctld "$run_dir/slurmctld.pid"
  local mpid
  for f in /run/munge/munged.pid /var/run/munge/munged.pid; do
    if [ -s "$f" ]; then stop_pidfile munged "$f"; break; fi
  done
  return 0
}

status() {
  if ! command -v sinfo >/dev/null; then log "Slurm is not installed"; exit 1; fi
  timeout 10 sinfo || true
  node_up
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
