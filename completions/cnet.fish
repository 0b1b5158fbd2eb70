function __cnet_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cnet_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cnet_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cnet_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cnet_parse_tokens -S
    set -l unparsed_tokens (__cnet_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cnet'
        __cnet_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'network'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __cnet_parse_subcommand 1 'd/driver=' 'subnet=+' 'gateway=+' 'ip-range=+' 'ipv6' 'internal' 'ipam-driver=' 'o/opt=+' 'label=+' 'version' 'h/help'
            case 'ls'
                __cnet_parse_subcommand 0 'json' 'version' 'h/help'
            case 'inspect'
                __cnet_parse_subcommand -r 1 'json' 'version' 'h/help'
            case 'rm'
                __cnet_parse_subcommand -r 1 'version' 'h/help'
            case 'prune'
                __cnet_parse_subcommand 0 'version' 'h/help'
            end
        case 'endpoint'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __cnet_parse_subcommand 2 'ip=' 'ip6=' 'mac=' 'alias=+' 'p/publish=+' 'version' 'h/help'
            case 'ls'
                __cnet_parse_subcommand 0 'network=' 'json' 'version' 'h/help'
            case 'inspect'
                __cnet_parse_subcommand -r 1 'json' 'version' 'h/help'
            case 'rm'
                __cnet_parse_subcommand -r 1 'version' 'h/help'
            case 'join'
                __cnet_parse_subcommand 2 'version' 'h/help'
            case 'leave'
                __cnet_parse_subcommand 2 'version' 'h/help'
            end
        case 'sandbox'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __cnet_parse_subcommand 1 'pid=' 'netns=' 'hostname=' 'dns=+' 'dns-search=+' 'add-host=+' 'version' 'h/help'
            case 'ls'
                __cnet_parse_subcommand 0 'json' 'version' 'h/help'
            case 'inspect'
                __cnet_parse_subcommand -r 1 'json' 'version' 'h/help'
            case 'rm'
                __cnet_parse_subcommand -r 1 'version' 'h/help'
            end
        case 'connect'
            __cnet_parse_subcommand 2 'ip=' 'ip6=' 'mac=' 'alias=+' 'p/publish=+' 'pid=' 'netns=' 'hostname=' 'dns=+' 'dns-search=+' 'add-host=+' 'version' 'h/help'
        case 'disconnect'
            __cnet_parse_subcommand 2 'version' 'h/help'
        case 'gc'
            __cnet_parse_subcommand 0 'dry-run' 'json' 'version' 'h/help'
        case 'firewall'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'reload'
                __cnet_parse_subcommand 0 'json' 'version' 'h/help'
            end
        case 'netns'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __cnet_parse_subcommand 1 'version' 'h/help'
            case 'del'
                __cnet_parse_subcommand -r 1 'version' 'h/help'
            case 'list'
                __cnet_parse_subcommand 0 'json' 'version' 'h/help'
            case 'link'
                __cnet_parse_subcommand 2 'bind' 'version' 'h/help'
            case 'identify'
                __cnet_parse_subcommand 1 'json' 'version' 'h/help'
            case 'pids'
                __cnet_parse_subcommand 1 'json' 'version' 'h/help'
            case 'exec'
                __cnet_parse_subcommand -r 2 'version' 'h/help'
            case 'prune'
                __cnet_parse_subcommand 0 'dry-run' 'json' 'version' 'h/help'
            end
        case 'exec'
            __cnet_parse_subcommand -r 2 'version' 'h/help'
        case 'link'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __cnet_parse_subcommand 1 'type=' 'mtu=' 'address=' 'master=' 'up' 'peer=' 'peer-netns=' 'vni=' 'local=' 'remote=' 'dstport=' 'dev=' 'mode=' 'n/netns=' 'version' 'h/help'
            case 'del'
                __cnet_parse_subcommand -r 1 'n/netns=' 'version' 'h/help'
            case 'set'
                __cnet_parse_subcommand 1 'up' 'down' 'master=' 'nomaster' 'netns=' 'mtu=' 'address=' 'name=' 'n=' 'version' 'h/help'
            case 'list'
                __cnet_parse_subcommand 1 'type=' 'json' 'n/netns=' 'version' 'h/help'
            end
        case 'bridge'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __cnet_parse_subcommand 1 'subnet=' 'gateway=' 'mtu=' 'n/netns=' 'version' 'h/help'
            case 'delete'
                __cnet_parse_subcommand 1 'n/netns=' 'version' 'h/help'
            case 'list'
                __cnet_parse_subcommand 0 'json' 'n/netns=' 'version' 'h/help'
            end
        case 'addr'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __cnet_parse_subcommand 1 'dev=' 'nodad' 'n/netns=' 'version' 'h/help'
            case 'del'
                __cnet_parse_subcommand 1 'dev=' 'n/netns=' 'version' 'h/help'
            case 'list'
                __cnet_parse_subcommand 0 'dev=' '4' '6' 'json' 'n/netns=' 'version' 'h/help'
            end
        case 'route'
            __cnet_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __cnet_parse_subcommand 1 'via=' 'dev=' 'metric=' '6' 'n/netns=' 'version' 'h/help'
            case 'del'
                __cnet_parse_subcommand 1 'via=' 'dev=' 'metric=' '6' 'n/netns=' 'version' 'h/help'
            case 'list'
                __cnet_parse_subcommand 0 '4' '6' 'json' 'n/netns=' 'version' 'h/help'
            end
        case 'help'
            __cnet_parse_subcommand -r 1 'version'
        end
    end
end

function __cnet_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cnet_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __cnet_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cnet_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cnet_tokens -p)
    if test -z "$(__cnet_tokens -t)"
        set -l index (count (__cnet_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cnet' -f
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'network' -d 'Manage networks (like docker network).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'endpoint' -d 'Manage endpoints: addresses on a network, joined to sandboxes.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'sandbox' -d 'Manage sandboxes: one container\'s network stack.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'connect' -d 'Connect a sandbox to a network, creating what is missing.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'disconnect' -d 'Disconnect a sandbox from a network.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'gc' -d 'Finish or undo interrupted commands and remove what cnet made whose owner is gone.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'firewall' -d 'Manage cnet\'s nftables tables.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'netns' -d 'Manage named network namespaces (like ip netns).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'exec' -d 'Run a command inside a named network namespace (same as netns exec).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'link' -d 'Manage network interfaces (like ip link).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'bridge' -d 'Create, delete and list Linux bridges (a shortcut over link and addr).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'addr' -d 'Manage IPv4 and IPv6 addresses (like ip addr).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'route' -d 'Manage routes of the main table (like ip route).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet network" -eq 1' -fa 'create' -d 'Create a network and print its id.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet network" -eq 1' -fa 'ls' -d 'List networks.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet network" -eq 1' -fa 'inspect' -d 'Show networks in detail.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet network" -eq 1' -fa 'rm' -d 'Delete networks.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet network" -eq 1' -fa 'prune' -d 'Delete every network without endpoints; prints their names.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create" d driver' -s 'd' -l 'driver' -d 'Driver: bridge, host or null.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create"' -l 'subnet' -d 'Subnet, IPv4 or IPv6 (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create"' -l 'gateway' -d 'Gateway, in one of the subnets (repeatable, one per subnet).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create"' -l 'ip-range' -d 'Where endpoints\' addresses come from, inside a subnet (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create" ipv6' -l 'ipv6' -d 'Give endpoints IPv6 addresses too.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create" internal' -l 'internal' -d 'No route out of the network.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create" ipam-driver' -l 'ipam-driver' -d 'IPAM driver: default, or null (no addresses).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create"' -s 'o' -l 'opt' -d 'Driver option (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create"' -l 'label' -d 'Label (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network ls" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network ls" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network inspect" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network inspect" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network rm" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network prune" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet network prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet endpoint" -eq 1' -fa 'create' -d 'Create an endpoint and print its id.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet endpoint" -eq 1' -fa 'ls' -d 'List endpoints.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet endpoint" -eq 1' -fa 'inspect' -d 'Show endpoints in detail.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet endpoint" -eq 1' -fa 'rm' -d 'Delete endpoints; their addresses go back to the network\'s pool.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet endpoint" -eq 1' -fa 'join' -d 'Attach an endpoint to a sandbox, creating the sandbox if needed.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet endpoint" -eq 1' -fa 'leave' -d 'Detach an endpoint from its sandbox; it keeps its addresses.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint create" ip' -l 'ip' -d 'IPv4 address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint create" ip6' -l 'ip6' -d 'IPv6 address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint create" mac' -l 'mac' -d 'MAC address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint create"' -l 'alias' -d 'Another name for it in the network\'s hosts files (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint create"' -s 'p' -l 'publish' -d 'Publish a port while joined: [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp] (repeatable). An IPv6 HOSTIP goes in brackets; 127.0.0.1 answers the host only.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint create" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint ls" network' -l 'network' -d 'Only this network\'s endpoints.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint ls" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint ls" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint inspect" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint inspect" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint rm" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint join" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint join" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint leave" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet endpoint leave" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet sandbox" -eq 1' -fa 'create' -d 'Create a sandbox and print its id.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet sandbox" -eq 1' -fa 'ls' -d 'List sandboxes.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet sandbox" -eq 1' -fa 'inspect' -d 'Show sandboxes in detail.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet sandbox" -eq 1' -fa 'rm' -d 'Remove sandboxes.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create" pid' -l 'pid' -d 'Use the network namespace of this running process.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create" netns' -l 'netns' -d 'Use this existing named namespace.' -rfka '(__cnet_custom_completion ---completion sandbox create -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create" hostname' -l 'hostname' -d 'Host name (default: the sandbox\'s name).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create"' -l 'dns' -d 'DNS server (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create"' -l 'dns-search' -d 'DNS search domain (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create"' -l 'add-host' -d 'Extra hosts entry (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox ls" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox ls" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox inspect" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox inspect" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox rm" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet sandbox rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" ip' -l 'ip' -d 'IPv4 address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" ip6' -l 'ip6' -d 'IPv6 address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" mac' -l 'mac' -d 'MAC address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect"' -l 'alias' -d 'Another name for it in the network\'s hosts files (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect"' -s 'p' -l 'publish' -d 'Publish a port while joined: [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp] (repeatable). An IPv6 HOSTIP goes in brackets; 127.0.0.1 answers the host only.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" pid' -l 'pid' -d 'Use the network namespace of this running process.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" netns' -l 'netns' -d 'Use this existing named namespace.' -rfka '(__cnet_custom_completion ---completion connect -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" hostname' -l 'hostname' -d 'Host name (default: the sandbox\'s name).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect"' -l 'dns' -d 'DNS server (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect"' -l 'dns-search' -d 'DNS search domain (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect"' -l 'add-host' -d 'Extra hosts entry (repeatable).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet connect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet disconnect" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet disconnect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet gc" dry-run' -l 'dry-run' -d 'Only print what would be done.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet gc" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet gc" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet gc" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet firewall" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet firewall" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet firewall" -eq 1' -fa 'reload' -d 'Rewrite cnet\'s nftables tables from its store.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet firewall reload" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet firewall reload" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet firewall reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'add' -d 'Create a named network namespace.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'del' -d 'Delete named network namespaces.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'list' -d 'List named network namespaces.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'link' -d 'Name the network namespace of a running process.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'identify' -d 'Print the names of a process\'s network namespace.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'pids' -d 'Print the processes running in a named network namespace.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'exec' -d 'Run a command inside a named network namespace.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns" -eq 1' -fa 'prune' -d 'Remove names that no longer lead to a namespace.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns add" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns del" -ge 1' -fka '(__cnet_custom_completion ---completion netns del -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns del" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns del" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns list" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns list" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns link" bind' -l 'bind' -d 'Bind-mount the namespace so it outlives the process.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns link" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns link" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns identify" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns identify" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns identify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns pids" -eq 1' -fka '(__cnet_custom_completion ---completion netns pids -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns pids" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns pids" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns pids" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet netns exec" -eq 1' -fka '(__cnet_custom_completion ---completion netns exec -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns exec" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns exec" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns prune" dry-run' -l 'dry-run' -d 'Only print what would be removed.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns prune" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns prune" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet netns prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet exec" -eq 1' -fka '(__cnet_custom_completion ---completion exec -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet exec" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet exec" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet link" -eq 1' -fa 'add' -d 'Create a network interface.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet link" -eq 1' -fa 'del' -d 'Delete network interfaces.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet link" -eq 1' -fa 'set' -d 'Change a network interface.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet link" -eq 1' -fa 'list' -d 'List network interfaces.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" type' -l 'type' -d 'Kind of interface.' -rfka 'bridge veth vxlan dummy macvlan'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" mtu' -l 'mtu' -d 'MTU in bytes.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" address' -l 'address' -d 'MAC address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" master' -l 'master' -d 'Enslave it to this bridge.' -rfka '(__cnet_custom_completion ---completion link add -- --master (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" up' -l 'up' -d 'Bring it up.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" peer' -l 'peer' -d 'veth: name of the peer (default: chosen by the kernel).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" peer-netns' -l 'peer-netns' -d 'veth: create the peer inside this namespace (name or PID).' -rfka '(__cnet_custom_completion ---completion link add -- --peer-netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" vni' -l 'vni' -d 'vxlan: the VXLAN network identifier (0-16777215).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" local' -l 'local' -d 'vxlan: local address of the tunnel.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" remote' -l 'remote' -d 'vxlan: remote address of the tunnel.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" dstport' -l 'dstport' -d 'vxlan: UDP destination port (default 4789, the IANA port).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" dev' -l 'dev' -d 'vxlan: underlay device; macvlan: parent device.' -rfka '(__cnet_custom_completion ---completion link add -- --dev (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" mode' -l 'mode' -d 'macvlan: mode (private, vepa, bridge, passthru, source; default bridge).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion link add -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet link del" -ge 1' -fka '(__cnet_custom_completion ---completion link del -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link del" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion link del -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link del" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link del" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet link set" -eq 1' -fka '(__cnet_custom_completion ---completion link set -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" up' -l 'up' -d 'Bring it up.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" down' -l 'down' -d 'Bring it down.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" master' -l 'master' -d 'Enslave it to this bridge.' -rfka '(__cnet_custom_completion ---completion link set -- --master (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" nomaster' -l 'nomaster' -d 'Release it from its bridge.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" netns' -l 'netns' -d 'Move it into this namespace (name or PID).' -rfka '(__cnet_custom_completion ---completion link set -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" mtu' -l 'mtu' -d 'MTU in bytes.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" address' -l 'address' -d 'MAC address.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" name' -l 'name' -d 'Rename it.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" n' -s 'n' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion link set -- -n (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet link list" -eq 1' -fka '(__cnet_custom_completion ---completion link list -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link list" type' -l 'type' -d 'Only interfaces of this kind.' -rfka 'bridge veth vxlan dummy macvlan'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link list" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link list" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion link list -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link list" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet link list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet bridge" -eq 1' -fa 'create' -d 'Create a bridge, give it the gateway address and bring it up.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet bridge" -eq 1' -fa 'delete' -d 'Delete a bridge; anything that is not a bridge is refused.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet bridge" -eq 1' -fa 'list' -d 'List bridges with their addresses and ports.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge create" subnet' -l 'subnet' -d 'Subnet the bridge serves, e.g. 10.88.0.0/16.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge create" gateway' -l 'gateway' -d 'Gateway address in the subnet (default: its first host).' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge create" mtu' -l 'mtu' -d 'MTU in bytes.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge create" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion bridge create -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge create" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet bridge delete" -eq 1' -fka '(__cnet_custom_completion ---completion bridge delete -- positional@0 (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge delete" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion bridge delete -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge delete" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge list" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge list" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion bridge list -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge list" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet bridge list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet addr" -eq 1' -fa 'add' -d 'Add an address to an interface.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet addr" -eq 1' -fa 'del' -d 'Remove an address from an interface.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet addr" -eq 1' -fa 'list' -d 'List addresses.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr add" dev' -l 'dev' -d 'The interface.' -rfka '(__cnet_custom_completion ---completion addr add -- --dev (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr add" nodad' -l 'nodad' -d 'IPv6: skip duplicate address detection, so the address is usable at once.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr add" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion addr add -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr add" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr del" dev' -l 'dev' -d 'The interface.' -rfka '(__cnet_custom_completion ---completion addr del -- --dev (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr del" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion addr del -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr del" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr del" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr list" dev' -l 'dev' -d 'Only this interface.' -rfka '(__cnet_custom_completion ---completion addr list -- --dev (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr list" 4' -s '4' -d 'Only IPv4.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr list" 6' -s '6' -d 'Only IPv6.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr list" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr list" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion addr list -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr list" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet addr list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet route" -eq 1' -fa 'add' -d 'Add a route.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet route" -eq 1' -fa 'del' -d 'Delete a route.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_positional "cnet route" -eq 1' -fa 'list' -d 'List the routes of the main table.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route add" via' -l 'via' -d 'The gateway.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route add" dev' -l 'dev' -d 'The outgoing interface.' -rfka '(__cnet_custom_completion ---completion route add -- --dev (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route add" metric' -l 'metric' -d 'The route\'s metric (priority); lower wins.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route add" 6' -s '6' -d 'With \'default\' and no --via: the IPv6 default route.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route add" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion route add -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route add" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route del" via' -l 'via' -d 'The gateway.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route del" dev' -l 'dev' -d 'The outgoing interface.' -rfka '(__cnet_custom_completion ---completion route del -- --dev (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route del" metric' -l 'metric' -d 'The route\'s metric (priority); lower wins.' -rfka ''
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route del" 6' -s '6' -d 'With \'default\' and no --via: the IPv6 default route.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route del" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion route del -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route del" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route del" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route list" 4' -s '4' -d 'Only IPv4.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route list" 6' -s '6' -d 'Only IPv6.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route list" json' -l 'json' -d 'Print JSON (shaped like `ip -j` where the command mirrors ip).'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route list" n netns' -s 'n' -l 'netns' -d 'Work inside the named network namespace (like ip -n).' -rfka '(__cnet_custom_completion ---completion route list -- --netns (count (__cnet_tokens -pc)) (__cnet_tokens -tC))'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route list" version' -l 'version' -d 'Show the version.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet route list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cnet' -n '__cnet_should_offer_completions_for_flags_or_options "cnet help" version' -l 'version' -d 'Show the version.'
