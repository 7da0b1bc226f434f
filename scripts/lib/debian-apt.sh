# debian-apt.sh: sourced by the scripts that download Debian packages (reference binaries,
# QuickJS source) without touching the host's apt state.
#
#   debian_mirror                  prints the machine's own Debian mirror, from its apt config
#   private_apt DIR LINE...        sets APT_OPTS (an array) to an apt config under DIR whose
#                                  sources.list holds LINE...; runs apt-get update with it
#
# The mirror is never written into the repository: it comes from /etc/apt (deb822 .sources
# first, then sources.list), so the scripts use whatever mirror this machine is set up with.

debian_mirror() {
  local m=''
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    # deb822: the URIs of the stanza whose Suites are plain Debian (not -security).
    m=$(awk 'BEGIN{RS=""; FS="\n"} {u=""; s="";
           for (i=1;i<=NF;i++) { if ($i ~ /^URIs:/) u=$i; if ($i ~ /^Suites:/) s=$i }
           if (u != "" && s !~ /security/) { sub(/^URIs:[ \t]*/, "", u); split(u, a, /[ \t]+/); print a[1]; exit } }' \
         /etc/apt/sources.list.d/*.sources)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$m" ] || { echo "debian-apt: no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2; return 1; }
  echo "${m%/}"
}

private_apt() {
  local dir=$1; shift
  rm -rf "$dir"
  mkdir -p "$dir"/{lists/partial,cache/archives/partial,etc/sources.list.d}
  printf '%s\n' "$@" > "$dir/etc/sources.list"
  # Dir::* redirect everything apt reads or writes except its config; the sandbox user is root
  # because _apt cannot write into .cache under a root-owned checkout.
  APT_OPTS=(-o "Dir::State::Lists=$dir/lists" -o "Dir::Etc::SourceList=$dir/etc/sources.list"
            -o "Dir::Etc::SourceParts=$dir/etc/sources.list.d" -o "Dir::Cache=$dir/cache"
            -o "APT::Sandbox::User=root")
  apt-get "${APT_OPTS[@]}" update -qq
}
