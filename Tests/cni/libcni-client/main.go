// libcni-client: a minimal CNI runtime built on Debian's libcni 1.1.2
// (golang-github-appc-cni-dev), for testing plugins against the reference
// client library. Every protocol step is libcni's own: finding the plugin
// in the plugin path, VERSION, building each plugin's request config
// (name, cniVersion, runtimeConfig from declared capabilities,
// prevResult), chaining ADD, the reverse DEL chain, CHECK from the cached
// result, and the result cache in CNI_CACHE_DIR.
//
//	libcni-client add|check|del CONFLIST [NETNS]
//	libcni-client validate CONFLIST     (VERSION of every plugin; prints the capabilities)
//	libcni-client version PLUGIN-TYPE   (VERSION; prints the supported versions)
//
// Environment:
//
//	CNI_PATH         plugin directories, colon-separated (default /usr/lib/cni)
//	CNI_CACHE_DIR    libcni's cache directory (default /var/lib/cni)
//	CNI_CONTAINERID  the container ID (default: libcni-<first 20 hex digits of
//	                 sha512(NETNS)>, cnitool's rule; required without NETNS)
//	CNI_IFNAME       the interface name (default eth0)
//	CNI_ARGS         "K=V;K=V", passed as RuntimeConf.Args
//	CAP_ARGS         a JSON object, RuntimeConf.CapabilityArgs (as cnitool)
//	PORT_MAPPINGS    a JSON list, CapabilityArgs["portMappings"]
//	CNI_TIMEOUT      seconds for the whole command (default 60)
//
// add prints the result (in the conflist's cniVersion) on stdout. On failure
// the error goes to stderr, with the CNI error code when a plugin returned
// one ("... (CNI error code 7)"), and the exit status is 1 (2 for usage).
package main

import (
	"context"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: libcni-client add|check|del CONFLIST [NETNS]")
	fmt.Fprintln(os.Stderr, "       libcni-client validate CONFLIST")
	fmt.Fprintln(os.Stderr, "       libcni-client version PLUGIN-TYPE")
	os.Exit(2)
}

func fail(command string, err error) {
	msg := fmt.Sprintf("libcni-client: %s: %v", command, err)
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		msg += fmt.Sprintf(" (CNI error code %d)", cniErr.Code)
	}
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// cniArgs parses "K=V;K=V" as cnitool does.
func cniArgs(s string) ([][2]string, error) {
	var args [][2]string
	if s == "" {
		return nil, nil
	}
	for _, pair := range strings.Split(s, ";") {
		kv := strings.SplitN(pair, "=", 2)
		if len(kv) != 2 {
			return nil, fmt.Errorf("CNI_ARGS: %q is not K=V", pair)
		}
		args = append(args, [2]string{kv[0], kv[1]})
	}
	return args, nil
}

func capabilityArgs() (map[string]interface{}, error) {
	caps := map[string]interface{}{}
	if s := os.Getenv("CAP_ARGS"); s != "" {
		if err := json.Unmarshal([]byte(s), &caps); err != nil {
			return nil, fmt.Errorf("CAP_ARGS: %w", err)
		}
	}
	if s := os.Getenv("PORT_MAPPINGS"); s != "" {
		var mappings []interface{}
		if err := json.Unmarshal([]byte(s), &mappings); err != nil {
			return nil, fmt.Errorf("PORT_MAPPINGS: %w", err)
		}
		caps["portMappings"] = mappings
	}
	return caps, nil
}

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	command := os.Args[1]

	seconds, err := strconv.Atoi(env("CNI_TIMEOUT", "60"))
	if err != nil {
		fail(command, fmt.Errorf("CNI_TIMEOUT: %w", err))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
	defer cancel()

	pluginDirs := filepath.SplitList(env("CNI_PATH", "/usr/lib/cni"))
	cni := libcni.NewCNIConfigWithCacheDir(pluginDirs, env("CNI_CACHE_DIR", "/var/lib/cni"), nil)

	switch command {
	case "version":
		info, err := cni.GetVersionInfo(ctx, os.Args[2])
		if err != nil {
			fail(command, err)
		}
		out, _ := json.Marshal(info.SupportedVersions())
		fmt.Println(string(out))
		return
	case "validate":
		list, err := libcni.ConfListFromFile(os.Args[2])
		if err != nil {
			fail(command, err)
		}
		caps, err := cni.ValidateNetworkList(ctx, list)
		if err != nil {
			fail(command, err)
		}
		out, _ := json.Marshal(caps)
		fmt.Println(string(out))
		return
	case "add", "check", "del":
	default:
		usage()
	}

	list, err := libcni.ConfListFromFile(os.Args[2])
	if err != nil {
		fail(command, err)
	}
	netns := ""
	if len(os.Args) > 3 {
		netns = os.Args[3]
	}
	containerID := os.Getenv("CNI_CONTAINERID")
	if containerID == "" {
		if netns == "" {
			fail(command, errors.New("no NETNS: set CNI_CONTAINERID"))
		}
		sum := sha512.Sum512([]byte(netns))
		containerID = fmt.Sprintf("libcni-%x", sum[:10])
	}
	args, err := cniArgs(os.Getenv("CNI_ARGS"))
	if err != nil {
		fail(command, err)
	}
	caps, err := capabilityArgs()
	if err != nil {
		fail(command, err)
	}
	rt := &libcni.RuntimeConf{
		ContainerID:    containerID,
		NetNS:          netns,
		IfName:         env("CNI_IFNAME", "eth0"),
		Args:           args,
		CapabilityArgs: caps,
	}

	switch command {
	case "add":
		result, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(command, err)
		}
		if err := result.PrintTo(os.Stdout); err != nil {
			fail(command, err)
		}
	case "check":
		if err := cni.CheckNetworkList(ctx, list, rt); err != nil {
			fail(command, err)
		}
	case "del":
		if err := cni.DelNetworkList(ctx, list, rt); err != nil {
			fail(command, err)
		}
	}
}
