// Walking a netlink reply: sequence and port checks, acks, the kernel's
// errors with their extended-ack text, the end of dumps. Pure: it reads
// a buffer, so golden replies can be replayed without a socket.
#include "cnet_shim.h"

#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

// Copies NLMSGERR_ATTR_MSG from the TLVs that follow an error or done
// message when the kernel set NLM_F_ACK_TLVS (iproute2: mnlu_cb_error).
static void read_extack(const struct nlmsghdr *nlh, size_t offset,
                        struct cnet_nl_status *status) {
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return;
  if (offset >= nlh->nlmsg_len) return;
  const struct nlattr *attr;
  mnl_attr_for_each(attr, nlh, offset - MNL_NLMSG_HDRLEN) {
    if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG) continue;
    if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) return;
    const char *text = mnl_attr_get_str(attr);
    size_t n = strnlen(text, sizeof(status->message) - 1);
    memcpy(status->message, text, n);
    status->message[n] = '\0';
    // The kernel's messages have no trailing newline, but be safe.
    while (n > 0 && status->message[n - 1] == '\n') status->message[--n] = '\0';
    return;
  }
}

static int error_message(const struct nlmsghdr *nlh,
                         struct cnet_nl_status *status) {
  if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nlmsgerr))
    return -EBADMSG;
  const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
  // With NETLINK_CAP_ACK the request is not echoed back, only its header.
  size_t offset = MNL_NLMSG_HDRLEN + sizeof(struct nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
    offset += err->msg.nlmsg_len > MNL_NLMSG_HDRLEN
                  ? MNL_ALIGN(err->msg.nlmsg_len - MNL_NLMSG_HDRLEN) : 0;
  read_extack(nlh, offset, status);
  if (err->error == 0) return 0;  // the ack
  // The error is a negative errno; accept both signs as iproute2 does.
  return err->error < 0 ? err->error : -err->error;
}

static int done_message(const struct nlmsghdr *nlh,
                        struct cnet_nl_status *status) {
  // A dump may end with an error (for example a filter the kernel rejects).
  if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(int)) return 0;
  int error;
  memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
  read_extack(nlh, MNL_NLMSG_HDRLEN + sizeof(int), status);
  if (error == 0) return 0;
  return error < 0 ? error : -error;
}

int cnet_nl_process(const void *buf, size_t len, uint32_t seq,
                    uint32_t portid, cnet_nl_message_cb cb, void *ctx,
                    struct cnet_nl_status *status) {
  const struct nlmsghdr *nlh = buf;
  int remaining = (int)len;
  if (len > (size_t)CNET_NL_RECEIVE_SIZE * 8) return -EBADMSG;
  while (mnl_nlmsg_ok(nlh, remaining)) {
    if (!mnl_nlmsg_portid_ok(nlh, portid)) return -ESRCH;
    if (!mnl_nlmsg_seq_ok(nlh, seq)) return -EPROTO;
    if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) status->dump_interrupted = 1;
    switch (nlh->nlmsg_type) {
    case NLMSG_NOOP:
      break;
    case NLMSG_ERROR:
      return error_message(nlh, status);
    case NLMSG_DONE:
      return done_message(nlh, status);
    case NLMSG_OVERRUN:
      return -ENOBUFS;
    default:
      if (cb) cb(nlh, ctx);
      break;
    }
    nlh = mnl_nlmsg_next(nlh, &remaining);
  }
  // Bytes left that do not form a whole message: a truncated datagram.
  if (remaining > 0) return -EBADMSG;
  return 1;
}
