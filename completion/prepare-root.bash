# bash completion for prepare-root(8): commands, each command's options, and their values.
# Installed as /usr/share/bash-completion/completions/prepare-root.
_prepare_root() {
  local cur prev command word i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  command=
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      run|plan|check-config|status|diff|checkpoint|relabel) command=$word; break ;;
    esac
  done
  case $prev in
    --boot) mapfile -t COMPREPLY < <(compgen -W 'ostree plain' -- "$cur"); return ;;
    --get)
      mapfile -t COMPREPLY < <(compgen -W 'composefs.keypath composefs.enabled root.upper-device root.upper-fstype' -- "$cur")
      return ;;
    --init|--config|--upper|--lower) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --root) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
  esac
  local options
  case $command in
    ''|run) options='--pivot --init --verbose --help' ;;
    plan) options='--config --no-initramfs --json --help' ;;
    check-config) options='--plain --chain --root --json --boot --no-initramfs --get --help' ;;
    status) options='--json --root --help' ;;
    diff) options='--json --root --upper --lower --help' ;;
    checkpoint|relabel) options='--root --help' ;;
  esac
  [[ -z $command ]] && options+=' --version'
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  elif [[ -z $command ]]; then
    mapfile -t COMPREPLY < <(compgen -W 'run plan check-config status diff checkpoint relabel' -- "$cur")
    [[ $cur == /* ]] && mapfile -t COMPREPLY < <(compgen -d -- "$cur")
  else
    case $command in
      run|plan|check-config|diff) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    esac
  fi
}
complete -F _prepare_root prepare-root
