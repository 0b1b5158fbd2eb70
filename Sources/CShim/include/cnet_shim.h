// cnet's C shim: the only code that touches libmnl and the namespace system
// calls (DESIGN §3).
//
// Why C at all: libmnl's helpers are macros Swift cannot import
// (MNL_SOCKET_BUFFER_SIZE, mnl_attr_for_each), rtnetlink constants import as
// untyped Ints, setns/unshare are missing from Swift's Glibc module, and the
// code between setns and execvp must not run Swift (model-codebases §5).
//
// Conventions: every symbol starts with cnet_; functions return 0 (or a
// length) on success and -errno on failure;
// nothing here allocates memory that Swift must free except cnet_nl, which
// has its own close function, and what cnet_run captured (free()).
//
// The netlink part is split in three so that it can be tested without root:
//   1. builders (cnet_msg_*) write one request into a caller's buffer;
//   2. the transport (cnet_nl_*) sends and receives datagrams;
//   3. cnet_nl_process walks one received datagram: sequence and port
//      checks, acks, errors with the kernel's extended ack, end of dumps.
// Swift drives the loop, so a fake transport can replay golden replies.
#ifndef CNET_SHIM_H
#define CNET_SHIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------
// Sizes

/// Room for any request cnet builds (MNL_SOCKET_BUFFER_SIZE is a macro).
#define CNET_NL_REQUEST_SIZE 8192
/// Room for one received datagram of a dump (MNL_SOCKET_DUMP_SIZE).
#define CNET_NL_RECEIVE_SIZE 32768
/// IFNAMSIZ, including the terminating NUL.
#define CNET_IFNAMSIZ 16

// ---------------------------------------------------------------------------
// Transport: a NETLINK_ROUTE socket pinned to one network namespace.

struct cnet_nl;

/// Opens a NETLINK_ROUTE socket in the calling thread's network namespace:
/// SOCK_CLOEXEC, NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK,
/// bound with a kernel-assigned port id (never getpid(), which collides with
/// any other socket of the process).
int cnet_nl_open(struct cnet_nl **out);

/// The same on NETLINK_NETFILTER (nftables probes, conntrack).
int cnet_nl_open_netfilter(struct cnet_nl **out);

/// Opens the same socket inside the namespace `nsfd` refers to. The setns
/// happens on a short-lived pthread that is joined before returning, so no
/// Swift thread ever changes namespace; the socket stays in the namespace
/// it was created in for its whole life.
int cnet_nl_open_in_netns(int nsfd, struct cnet_nl **out);

void cnet_nl_close(struct cnet_nl *nl);

/// The port id the kernel assigned; replies must be addressed to it.
uint32_t cnet_nl_portid(const struct cnet_nl *nl);

/// The index of the link named `name` in the socket's namespace, or -errno
/// (-ENODEV: no such link). SIOCGIFINDEX on the netlink socket itself,
/// which the kernel answers in the socket's namespace: one system call
/// instead of an RTM_GETLINK round trip and its 1.5 KB reply.
int32_t cnet_nl_ifindex(const struct cnet_nl *nl, const char *name);

/// Sends one request. Returns 0 or -errno.
int cnet_nl_send(struct cnet_nl *nl, const void *buf, size_t len);

/// Receives one datagram (EINTR is retried). Returns its length or -errno.
ssize_t cnet_nl_recv(struct cnet_nl *nl, void *buf, size_t len);

// ---------------------------------------------------------------------------
// Replies

/// What the kernel said about a request, beyond the errno.
struct cnet_nl_status {
  /// NUL-terminated extended-ack text (NLMSGERR_ATTR_MSG), empty if none.
  char message[256];
  /// Set when a message of a dump carried NLM_F_DUMP_INTR: the dump saw
  /// a change in progress and must be repeated.
  int dump_interrupted;
};

/// Called once per data message of a reply (for dumps: per object).
typedef void (*cnet_nl_message_cb)(const void *nlh, void *ctx);

/// Walks one received datagram for the request numbered `seq` from port
/// `portid`. Returns 1 when more datagrams belong to the reply, 0 when the
/// reply is complete (ack or NLMSG_DONE), or -errno: the kernel's error
/// (with `status->message` filled from the extended ack), -EPROTO for a
/// message of another sequence number, -ESRCH for another port, -EBADMSG for
/// a malformed datagram.
int cnet_nl_process(const void *buf, size_t len, uint32_t seq,
                    uint32_t portid, cnet_nl_message_cb cb, void *ctx,
                    struct cnet_nl_status *status);

// ---------------------------------------------------------------------------
// Links (rtnetlink RTM_*LINK)

/// Attributes common to every link request. A field left at its "unset"
/// value is not sent, so the kernel keeps its default or current value.
struct cnet_link_attrs {
  int32_t ifindex;          ///< ifi_index; 0 = unset (address by name)
  const char *ifname;       ///< IFLA_IFNAME (the name, or a new name); NULL = unset
  uint32_t mtu;             ///< IFLA_MTU; 0 = unset
  const uint8_t *address;   ///< IFLA_ADDRESS; NULL = unset
  uint32_t address_len;
  int32_t master;           ///< IFLA_MASTER; -1 = unset, 0 = no master
  int32_t netns_fd;         ///< IFLA_NET_NS_FD; -1 = unset
  int32_t up;               ///< IFF_UP in ifi_flags/ifi_change; -1 = unset
  const char *alias;        ///< IFLA_IFALIAS; NULL = unset
  int32_t link;             ///< IFLA_LINK (lower device); 0 = unset
  /// IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE (IN6_ADDR_GEN_MODE_*,
  /// `ip link set addrgenmode`); -1 = unset
  int32_t addr_gen_mode;
};

/// Fills `a` with "unset" everywhere.
void cnet_link_attrs_init(struct cnet_link_attrs *a);

/// VXLAN options (IFLA_VXLAN_*). Addresses are 4 or 16 bytes.
struct cnet_vxlan {
  uint32_t vni;             ///< IFLA_VXLAN_ID
  uint8_t local[16];        ///< IFLA_VXLAN_LOCAL / LOCAL6
  uint8_t local_len;        ///< 0 = unset
  uint8_t remote[16];       ///< IFLA_VXLAN_GROUP / GROUP6 (unicast remote)
  uint8_t remote_len;       ///< 0 = unset
  uint16_t port;            ///< IFLA_VXLAN_PORT, host order; 0 = kernel default
  int32_t dev;              ///< IFLA_VXLAN_LINK (underlay); 0 = unset
  int8_t learning;          ///< IFLA_VXLAN_LEARNING; -1 = unset (the kernel's: on)
  int8_t proxy;             ///< IFLA_VXLAN_PROXY (answer ARP from the neighbour table); -1 = unset
};

/// What kind of link to create. Only the member for `kind` is read.
struct cnet_link_kind {
  const char *kind;                          ///< IFLA_INFO_KIND
  const struct cnet_link_attrs *veth_peer;   ///< "veth": VETH_INFO_PEER
  const struct cnet_vxlan *vxlan;            ///< "vxlan"
  int32_t macvlan_mode;                      ///< "macvlan": MACVLAN_MODE_*; -1 = unset
};

/// RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK (`ip link add`).
/// Returns the message length, or -EMSGSIZE if `size` is too small.
int cnet_msg_link_add(void *buf, size_t size, uint32_t seq,
                      const struct cnet_link_attrs *a,
                      const struct cnet_link_kind *k);

/// RTM_NEWLINK without NLM_F_CREATE on an existing link (`ip link set`).
int cnet_msg_link_set(void *buf, size_t size, uint32_t seq,
                      const struct cnet_link_attrs *a);

/// RTM_SETLINK (AF_BRIDGE) turning hairpin mode of a bridge port on or off
/// (`bridge link set dev PORT hairpin on`): frames may leave by the port
/// they came in by.
int cnet_msg_bridge_port_hairpin(void *buf, size_t size, uint32_t seq, int32_t ifindex, int on);

/// RTM_DELLINK by index (`ip link del`).
int cnet_msg_link_del(void *buf, size_t size, uint32_t seq, int32_t ifindex);

/// RTM_GETLINK for one link by name, or a dump of all links if `ifname` is
/// NULL (`ip link show [dev NAME]`).
int cnet_msg_link_get(void *buf, size_t size, uint32_t seq, const char *ifname);

/// One link as the kernel describes it in RTM_NEWLINK.
struct cnet_link_info {
  int32_t ifindex;
  uint32_t flags;             ///< IFF_*
  uint16_t type;              ///< ARPHRD_*
  char ifname[CNET_IFNAMSIZ];
  uint32_t mtu;
  int32_t master;             ///< 0 = none
  int32_t link;               ///< IFLA_LINK: peer or lower device; 0 = none
  int32_t link_netnsid;       ///< IFLA_LINK_NETNSID; -1 = same namespace
  uint8_t operstate;          ///< IF_OPER_*
  uint8_t address[32];
  uint32_t address_len;
  uint8_t broadcast[32];
  uint32_t broadcast_len;
  char kind[32];              ///< IFLA_INFO_KIND; empty for plain devices
  char alias[256];            ///< IFLA_IFALIAS; empty if none
};

/// Parses one RTM_NEWLINK message. Returns 0 or -EBADMSG.
int cnet_parse_link(const void *nlh, struct cnet_link_info *out);

// ---------------------------------------------------------------------------
// Addresses (RTM_*ADDR)

struct cnet_addr {
  uint8_t family;            ///< AF_INET or AF_INET6
  uint8_t prefixlen;
  int32_t ifindex;
  uint8_t local[16];         ///< IFA_LOCAL (and IFA_ADDRESS)
  uint8_t broadcast[16];     ///< IFA_BROADCAST, IPv4 only
  int has_broadcast;
  uint32_t flags;            ///< IFA_F_* (IFA_F_NODAD ...)
};

/// RTM_NEWADDR (`ip addr add`, NLM_F_CREATE|NLM_F_EXCL) or RTM_DELADDR.
int cnet_msg_addr(void *buf, size_t size, uint32_t seq, int add,
                  const struct cnet_addr *a);

/// RTM_GETADDR dump of one family (AF_UNSPEC for all), optionally only one
/// link (strict checking makes the kernel filter on ifa_index).
int cnet_msg_addr_dump(void *buf, size_t size, uint32_t seq, uint8_t family,
                       int32_t ifindex);

struct cnet_addr_info {
  uint8_t family;
  uint8_t prefixlen;
  uint8_t scope;              ///< RT_SCOPE_*
  uint32_t flags;             ///< IFA_F_*, from IFA_FLAGS when present
  int32_t ifindex;
  uint8_t address[16];        ///< IFA_LOCAL if present, else IFA_ADDRESS
  uint8_t peer[16];           ///< IFA_ADDRESS when it differs (point-to-point)
  int has_peer;
  uint8_t broadcast[16];
  int has_broadcast;
  char label[CNET_IFNAMSIZ];
  uint32_t valid_lft;         ///< seconds; 0xffffffff = forever
  uint32_t preferred_lft;
};

int cnet_parse_addr(const void *nlh, struct cnet_addr_info *out);

// ---------------------------------------------------------------------------
// Neighbours and the forwarding database

/// A neighbour entry (`ip neigh`: family AF_INET/AF_INET6, `dst` the
/// neighbour's address, `lladdr` its MAC) or a forwarding-database entry
/// of a VXLAN device (`bridge fdb ... self`: family AF_BRIDGE, `lladdr` the
/// MAC, `dst` the remote VTEP, flags NTF_SELF).
struct cnet_neigh {
  int32_t ifindex;
  uint8_t family;
  uint8_t dst[16];
  uint8_t dst_len;          ///< 4, 16, or 0 for none
  uint8_t lladdr[6];
  int has_lladdr;
  uint16_t state;           ///< NUD_* (NUD_PERMANENT = 0x80)
  uint8_t flags;            ///< NTF_* (NTF_SELF = 0x02)
};

/// RTM_NEWNEIGH with NLM_F_CREATE|NLM_F_REPLACE (`ip neigh replace`,
/// `bridge fdb replace`).
int cnet_msg_neigh_set(void *buf, size_t size, uint32_t seq, const struct cnet_neigh *n);

/// RTM_DELNEIGH (`ip neigh del`, `bridge fdb del`).
int cnet_msg_neigh_del(void *buf, size_t size, uint32_t seq, const struct cnet_neigh *n);

/// RTM_GETNEIGH dump of `family`, of one device when `ifindex` > 0.
int cnet_msg_neigh_dump(void *buf, size_t size, uint32_t seq, uint8_t family, int32_t ifindex);

/// Parses one RTM_NEWNEIGH.
int cnet_parse_neigh(const void *nlh, struct cnet_neigh *out);

// ---------------------------------------------------------------------------
// Routes (RTM_*ROUTE)

struct cnet_route {
  uint8_t family;
  uint8_t dst[16];
  uint8_t dst_len;           ///< prefix length; 0 = default route
  uint8_t gateway[16];
  int has_gateway;
  int32_t oif;               ///< 0 = unset
  uint32_t metric;           ///< RTA_PRIORITY
  int has_metric;
  uint32_t table;            ///< RT_TABLE_MAIN when 0
};

/// RTM_NEWROUTE (`ip route add`: NLM_F_CREATE|NLM_F_EXCL, proto boot,
/// scope link when there is no gateway) or RTM_DELROUTE (scope nowhere,
/// which matches any scope, as `ip route del` sends it).
int cnet_msg_route(void *buf, size_t size, uint32_t seq, int add,
                   const struct cnet_route *r);

/// RTM_GETROUTE dump of one family.
int cnet_msg_route_dump(void *buf, size_t size, uint32_t seq, uint8_t family);

struct cnet_route_info {
  uint8_t family;
  uint8_t dst_len;
  uint8_t src_len;
  uint8_t protocol;           ///< RTPROT_*
  uint8_t scope;
  uint8_t type;               ///< RTN_*
  uint32_t flags;             ///< RTM_F_*, RTNH_F_*
  uint32_t table;             ///< RTA_TABLE if present, else rtm_table
  uint8_t dst[16];
  int has_dst;
  uint8_t gateway[16];
  int has_gateway;
  uint8_t prefsrc[16];
  int has_prefsrc;
  int32_t oif;
  uint32_t metric;
  int has_metric;
};

int cnet_parse_route(const void *nlh, struct cnet_route_info *out);

// ---------------------------------------------------------------------------
// Namespace ids (RTM_GETNSID), as `ip netns list` shows "(id: N)".

int cnet_msg_getnsid(void *buf, size_t size, uint32_t seq, int32_t nsfd);

/// Returns the id in the reply, or -1 when the namespace has none.
int cnet_parse_nsid(const void *nlh, int32_t *nsid);

// ---------------------------------------------------------------------------
// Namespaces

/// Moves the calling thread into a new network namespace (unshare) and
/// returns an O_CLOEXEC fd to it in `*fd`: the fd keeps the namespace alive
/// until a bind mount or a link inside it does (`ip netns add` binds
/// /proc/self/ns/net; cnet binds /proc/self/fd/N of this fd, which names
/// the same nsfs inode). Only for a thread made for it, which ends after
/// its work there (CnetKernel's PendingNamespace): the rest of the process
/// stays where it was. 0 or -errno.
int cnet_netns_unshare_here(int *fd);

/// Keeps a thread made with `attr` off the calling thread's CPU, when the
/// process may run on another (netns.c says why).
void cnet_thread_attr_elsewhere(pthread_attr_t *attr);

/// 1 if `fd` refers to a network namespace, 0 if it is some other file
/// (a placeholder left by an interrupted `netns add`, another namespace
/// type), or -errno. Uses NS_GET_NSTYPE, which only nsfs files answer.
int cnet_fd_is_netns(int fd);

/// Number of threads of this process (from /proc/self/status), or -errno.
int cnet_thread_count(void);

/// Which step of cnet_netns_exec failed, for the error message.
enum cnet_exec_step {
  CNET_EXEC_THREADS = 1,   ///< the process is not single-threaded
  CNET_EXEC_SETNS,         ///< setns(CLONE_NEWNET)
  CNET_EXEC_UNSHARE,       ///< unshare(CLONE_NEWNS)
  CNET_EXEC_SLAVE,         ///< mount --make-rslave /
  CNET_EXEC_SYSFS,         ///< mounting /sys for the namespace
  CNET_EXEC_EXECVP,        ///< execvp itself
};

/// `ip netns exec` in place: setns into `nsfd`, a private mount namespace
/// whose mounts do not propagate back, /sys remounted so it describes the
/// namespace, each file of /etc/netns/NAME bind-mounted over /etc (a failure
/// there is a warning, as in iproute2), signal dispositions and mask reset,
/// every fd above 2 marked close-on-exec, then execvp(argv[0], argv).
/// Returns only on failure: -errno, with the failed step in `*step`.
/// The caller must be single-threaded (mount namespaces are per process).
int cnet_netns_exec(int nsfd, const char *name, char *const argv[],
                    int *step);

// ---------------------------------------------------------------------------
// Netfilter: probes of nftables tables, chains and rules (cnet's own and
// other tools'), conntrack flushing, and set elements over netlink.

/// NFT_MSG_GETTABLE for one table (`nft list table FAMILY NAME`, without
/// its contents): answered by the table, or ENOENT. `family` is NFPROTO_*.
int cnet_msg_nft_get_table(void *buf, size_t size, uint32_t seq, uint8_t family, const char *name);

/// NFT_MSG_GETSET for one set (`nft list set FAMILY TABLE SET` without the
/// elements' listing): ENOENT when the table or the set is missing.
int cnet_msg_nft_get_set(void *buf, size_t size, uint32_t seq, uint8_t family, const char *table, const char *set);

/// IPCTNL_MSG_CT_GET dump of one address family's connection tracking table.
int cnet_msg_ct_dump(void *buf, size_t size, uint32_t seq, uint8_t family);

/// One conntrack entry of a dump: what flushing by port needs.
struct cnet_ct {
  uint8_t family;          ///< AF_INET or AF_INET6
  uint8_t l4proto;         ///< IPPROTO_* of the original direction
  uint16_t dst_port;       ///< original destination port, host order; 0 if none
  uint8_t tuple[256];      ///< CTA_TUPLE_ORIG, whole (header included), to delete by
  uint32_t tuple_len;      ///< 0 if missing or too long
};

/// Parses one conntrack message. Returns 0 or -EBADMSG.
int cnet_parse_ct(const void *nlh, struct cnet_ct *out);

/// IPCTNL_MSG_CT_DELETE of the entry `ct` describes.
int cnet_msg_ct_delete(void *buf, size_t size, uint32_t seq, const struct cnet_ct *ct);

/// One element of an nftables set or map, as the kernel stores it: the
/// fields of a concatenation each padded to 4 bytes, in network order.
struct cnet_nft_elem {
  const uint8_t *key;
  uint32_t key_len;
  const uint8_t *key_end;   ///< NFTA_SET_ELEM_KEY_END (a range's last key); NULL = none
  uint32_t key_end_len;
  const uint8_t *data;      ///< a map's value; NULL = none
  uint32_t data_len;
  const uint8_t *userdata;  ///< NFTA_SET_ELEM_USERDATA (the comment's TLV); NULL = none
  uint32_t userdata_len;
};

/// Elements of one set of cnet's (table "cnet" of `family`, NFPROTO_*).
struct cnet_nft_set_change {
  uint8_t family;
  const char *table;
  const char *set;
  const struct cnet_nft_elem *elements;
  size_t count;
};

/// One nftables transaction (NFNL_MSG_BATCH_BEGIN ... END) changing set
/// elements: adds them (an existing element is no error), or with `remove`
/// adds then deletes them (so a missing one is no error either). The
/// kernel applies all of it or none; the reply is one ack or one error.
/// This is what publishing a port costs: no libnftables, no ruleset cache.
int cnet_msg_nft_elements(void *buf, size_t size, uint32_t seq, const struct cnet_nft_set_change *changes,
                          size_t count, int remove);

/// NFT_MSG_GETTABLE dump of every table of every family (`nft list
/// tables`): who else keeps rules here (iptables-nft's `ip filter`,
/// firewalld's `inet firewalld`), each with the handle the kernel gave it
/// when it was made, which changes when its owner makes it anew.
int cnet_msg_nft_dump_tables(void *buf, size_t size, uint32_t seq);

/// One table of that dump.
struct cnet_nft_table {
  uint8_t family;           ///< NFPROTO_*
  char name[256];
  uint64_t handle;
};

/// Parses one NFT_MSG_NEWTABLE message. Returns 0 or -EBADMSG.
int cnet_parse_nft_table(const void *nlh, struct cnet_nft_table *out);

/// NFT_MSG_GETCHAIN dump of one table's chains (`nft list chains`).
int cnet_msg_nft_dump_chains(void *buf, size_t size, uint32_t seq, uint8_t family, const char *table);

/// One chain of that dump.
struct cnet_nft_chain {
  char table[256];
  char name[256];
  int32_t policy;           ///< NF_DROP or NF_ACCEPT for a base chain; -1 for a regular one
  uint32_t use;             ///< how many rules jump to it (and other references)
};

/// Parses one NFT_MSG_NEWCHAIN message. Returns 0 or -EBADMSG.
int cnet_parse_nft_chain(const void *nlh, struct cnet_nft_chain *out);

/// NFT_MSG_GETRULE dump of one chain's rules.
int cnet_msg_nft_dump_rules(void *buf, size_t size, uint32_t seq, uint8_t family, const char *table,
                            const char *chain);

/// The comment of one rule of that dump, whether iptables-nft wrote it (an
/// xt "comment" match) or nft (the rule's user data), into `comment`;
/// `chain` gets the rule's chain. Returns 1 with a comment, 0 without, or
/// -EBADMSG.
int cnet_parse_nft_rule_comment(const void *nlh, char *chain, size_t chain_size, char *comment, size_t size);

// ---------------------------------------------------------------------------
// Programs (spawn.c says which and why).

/// Runs argv[0] (found on PATH, else in /usr/sbin or /sbin) with `input`
/// on its standard input (NULL: empty) and waits for it. `*output` and
/// `*error` receive what it printed (malloc'ed, NULL if nothing; the caller
/// frees), `*status` its exit status (128 + N when signal N ended it).
/// Returns 0 when it ran, or -errno when it could not be started (-ENOENT:
/// not installed).
int cnet_run(char *const argv[], const char *input, char **output, char **error, int *status);

/// accept4 with SOCK_CLOEXEC (not in Swift's Glibc module): the next
/// connection's fd, or -errno.
int cnet_accept(int fd);

/// Starts argv[0] (found as above) with its standard output on a pipe
/// whose reading end (close-on-exec) goes to `*fd`; standard input is
/// /dev/null, standard error the caller's. The caller reaps `*pid`.
/// Returns 0 or -errno.
int cnet_spawn_reader(char *const argv[], pid_t *pid, int *fd);

#ifdef __cplusplus
}
#endif

#endif
