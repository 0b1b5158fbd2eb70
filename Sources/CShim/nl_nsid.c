// Namespace ids (RTM_GETNSID): the number under which the namespace of the
// socket knows another namespace, shown by `ip netns list` as "(id: N)".
#include "cnet_shim.h"
#include "nl_build.h"

#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

int cnet_msg_getnsid(void *buf, size_t size, uint32_t seq, int32_t nsfd) {
  struct nl_builder b;
  nlb_start(&b, buf, size, RTM_GETNSID, NLM_F_ACK, seq, sizeof(struct rtgenmsg));
  nlb_u32(&b, NETNSA_FD, (uint32_t)nsfd);
  return nlb_finish(&b);
}

int cnet_parse_nsid(const void *msg, int32_t *nsid) {
  const struct nlmsghdr *nlh = msg;
  *nsid = -1;
  if (nlh->nlmsg_type != RTM_NEWNSID ||
      nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct rtgenmsg))
    return -EBADMSG;
  const struct nlattr *tb[NETNSA_MAX + 1] = {0};
  struct nl_attr_table t = {tb, NETNSA_MAX};
  if (mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nl_keep_attr, &t) < 0)
    return -EBADMSG;
  if (tb[NETNSA_NSID]) *nsid = (int32_t)nl_get_u32(tb[NETNSA_NSID]);
  return 0;
}
