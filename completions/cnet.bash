#!/bin/bash

__cnet_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__cnet_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__cnet_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__cnet_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_cnet() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    network|endpoint|sandbox|connect|disconnect|gc|doctor|firewall|plugin|cluster|agent|batch|netns|exec|link|bridge|addr|route|help)
        # Offer subcommand argument completions
        "_cnet_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'network endpoint sandbox connect disconnect gc doctor firewall plugin cluster agent batch netns exec link bridge addr route help' -- "${cur}"))
        ;;
    esac
}

_cnet_network() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|ls|inspect|rm|prune)
        # Offer subcommand argument completions
        "_cnet_network_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create ls inspect rm prune' -- "${cur}"))
        ;;
    esac
}

_cnet_network_create() {
    repeating_flags=()
    non_repeating_flags=(--ipv6 --internal --version -h --help)
    repeating_options=(--subnet --gateway --ip-range -o --opt --label)
    non_repeating_options=(-d --driver --ipam-driver --mtu)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-d'|'--driver')
        return
        ;;
    '--subnet')
        return
        ;;
    '--gateway')
        return
        ;;
    '--ip-range')
        return
        ;;
    '--ipam-driver')
        return
        ;;
    '-o'|'--opt')
        return
        ;;
    '--mtu')
        return
        ;;
    '--label')
        return
        ;;
    esac
}

_cnet_network_ls() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_network_inspect() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1
}

_cnet_network_rm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1
}

_cnet_network_prune() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_endpoint() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|ls|inspect|rm|join|leave)
        # Offer subcommand argument completions
        "_cnet_endpoint_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create ls inspect rm join leave' -- "${cur}"))
        ;;
    esac
}

_cnet_endpoint_create() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--alias -p --publish)
    non_repeating_options=(--ip --ip6 --mac)
    __cnet_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--ip')
        return
        ;;
    '--ip6')
        return
        ;;
    '--mac')
        return
        ;;
    '--alias')
        return
        ;;
    '-p'|'--publish')
        return
        ;;
    esac
}

_cnet_endpoint_ls() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--network)
    __cnet_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--network')
        return
        ;;
    esac
}

_cnet_endpoint_inspect() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1
}

_cnet_endpoint_rm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1
}

_cnet_endpoint_join() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 2
}

_cnet_endpoint_leave() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 2
}

_cnet_sandbox() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|ls|inspect|rm)
        # Offer subcommand argument completions
        "_cnet_sandbox_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create ls inspect rm' -- "${cur}"))
        ;;
    esac
}

_cnet_sandbox_create() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--dns --dns-search --add-host)
    non_repeating_options=(--pid --netns --hostname)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--pid')
        return
        ;;
    '--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion sandbox create -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--hostname')
        return
        ;;
    '--dns')
        return
        ;;
    '--dns-search')
        return
        ;;
    '--add-host')
        return
        ;;
    esac
}

_cnet_sandbox_ls() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_sandbox_inspect() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1
}

_cnet_sandbox_rm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1
}

_cnet_connect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--alias -p --publish --dns --dns-search --add-host)
    non_repeating_options=(--ip --ip6 --mac --pid --netns --hostname)
    __cnet_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--ip')
        return
        ;;
    '--ip6')
        return
        ;;
    '--mac')
        return
        ;;
    '--alias')
        return
        ;;
    '-p'|'--publish')
        return
        ;;
    '--pid')
        return
        ;;
    '--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion connect -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--hostname')
        return
        ;;
    '--dns')
        return
        ;;
    '--dns-search')
        return
        ;;
    '--add-host')
        return
        ;;
    esac
}

_cnet_disconnect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 2
}

_cnet_gc() {
    repeating_flags=()
    non_repeating_flags=(--dry-run --adopt --force --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--grace)
    __cnet_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--grace')
        return
        ;;
    esac
}

_cnet_doctor() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_firewall() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    reload|watch)
        # Offer subcommand argument completions
        "_cnet_firewall_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'reload watch' -- "${cur}"))
        ;;
    esac
}

_cnet_firewall_reload() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_firewall_watch() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_plugin() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    serve|ls)
        # Offer subcommand argument completions
        "_cnet_plugin_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'serve ls' -- "${cur}"))
        ;;
    esac
}

_cnet_plugin_serve() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--name --log-level)
    __cnet_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--log-level')
        return
        ;;
    esac
}

_cnet_plugin_ls() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_cluster() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    join|ls|leave)
        # Offer subcommand argument completions
        "_cnet_cluster_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'join ls leave' -- "${cur}"))
        ;;
    esac
}

_cnet_cluster_join() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--advertise --name --vxlan-port --ttl)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--advertise')
        return
        ;;
    '--name')
        return
        ;;
    '--vxlan-port')
        return
        ;;
    '--ttl')
        return
        ;;
    esac
}

_cnet_cluster_ls() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_cluster_leave() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_agent() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_batch() {
    repeating_flags=()
    non_repeating_flags=(--force -force --json --version -h --help)
    repeating_options=()
    non_repeating_options=(-n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion batch -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_netns() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|del|list|link|identify|pids|exec|prune)
        # Offer subcommand argument completions
        "_cnet_netns_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add del list link identify pids exec prune' -- "${cur}"))
        ;;
    esac
}

_cnet_netns_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 1
}

_cnet_netns_del() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    *)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion netns del -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_netns_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_netns_link() {
    repeating_flags=()
    non_repeating_flags=(--bind --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 2
}

_cnet_netns_identify() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 1
}

_cnet_netns_pids() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion netns pids -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_netns_exec() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion netns exec -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_netns_prune() {
    repeating_flags=()
    non_repeating_flags=(--dry-run --json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0
}

_cnet_exec() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion exec -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_link() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|del|set|list)
        # Offer subcommand argument completions
        "_cnet_link_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add del set list' -- "${cur}"))
        ;;
    esac
}

_cnet_link_add() {
    repeating_flags=()
    non_repeating_flags=(--up --version -h --help)
    repeating_options=()
    non_repeating_options=(--type --mtu --address --master --peer --peer-netns --vni --local --remote --dstport --dev --mode -n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--type')
        __cnet_add_completions -W 'bridge'$'\n''veth'$'\n''vxlan'$'\n''dummy'$'\n''macvlan'
        return
        ;;
    '--mtu')
        return
        ;;
    '--address')
        return
        ;;
    '--master')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link add -- --master "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--peer')
        return
        ;;
    '--peer-netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link add -- --peer-netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--vni')
        return
        ;;
    '--local')
        return
        ;;
    '--remote')
        return
        ;;
    '--dstport')
        return
        ;;
    '--dev')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link add -- --dev "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--mode')
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link add -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_link_del() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-n --netns)
    __cnet_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link del -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link del -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_link_set() {
    repeating_flags=()
    non_repeating_flags=(--up --down --nomaster --version -h --help)
    repeating_options=()
    non_repeating_options=(--master --netns --mtu --address --name -n)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--master')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link set -- --master "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link set -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--mtu')
        return
        ;;
    '--address')
        return
        ;;
    '--name')
        return
        ;;
    '-n')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link set -- -n "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link set -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_link_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--type -n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--type')
        __cnet_add_completions -W 'bridge'$'\n''veth'$'\n''vxlan'$'\n''dummy'$'\n''macvlan'
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link list -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion link list -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_bridge() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|delete|list)
        # Offer subcommand argument completions
        "_cnet_bridge_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create delete list' -- "${cur}"))
        ;;
    esac
}

_cnet_bridge_create() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--subnet --gateway --mtu --address -n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--subnet')
        return
        ;;
    '--gateway')
        return
        ;;
    '--mtu')
        return
        ;;
    '--address')
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion bridge create -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_bridge_delete() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion bridge delete -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion bridge delete -- positional@0 "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_bridge_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(-n --netns)
    __cnet_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion bridge list -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_addr() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|del|list)
        # Offer subcommand argument completions
        "_cnet_addr_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add del list' -- "${cur}"))
        ;;
    esac
}

_cnet_addr_add() {
    repeating_flags=()
    non_repeating_flags=(--nodad --version -h --help)
    repeating_options=()
    non_repeating_options=(--dev -n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--dev')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion addr add -- --dev "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion addr add -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_addr_del() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--dev -n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--dev')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion addr del -- --dev "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion addr del -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_addr_list() {
    repeating_flags=()
    non_repeating_flags=(-4 -6 --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--dev -n --netns)
    __cnet_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--dev')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion addr list -- --dev "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion addr list -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_route() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|del|list)
        # Offer subcommand argument completions
        "_cnet_route_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add del list' -- "${cur}"))
        ;;
    esac
}

_cnet_route_add() {
    repeating_flags=()
    non_repeating_flags=(-6 --version -h --help)
    repeating_options=()
    non_repeating_options=(--via --dev --metric -n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--via')
        return
        ;;
    '--dev')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion route add -- --dev "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--metric')
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion route add -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_route_del() {
    repeating_flags=()
    non_repeating_flags=(-6 --version -h --help)
    repeating_options=()
    non_repeating_options=(--via --dev --metric -n --netns)
    __cnet_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--via')
        return
        ;;
    '--dev')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion route del -- --dev "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    '--metric')
        return
        ;;
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion route del -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_route_list() {
    repeating_flags=()
    non_repeating_flags=(-4 -6 --json --version -h --help)
    repeating_options=()
    non_repeating_options=(-n --netns)
    __cnet_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-n'|'--netns')
        __cnet_add_completions -W "$(__cnet_custom_complete ---completion route list -- --netns "${COMP_CWORD}" "$(__cnet_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_cnet_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __cnet_offer_flags_options -1
}

complete -o filenames -F _cnet cnet
