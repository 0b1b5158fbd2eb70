import CShim

extension RouteSocket {
  /// The id under which this socket's namespace knows `namespace`, or nil
  /// when it has none (`ip netns list` shows it as "(id: N)").
  public func namespaceID(of namespace: NetworkNamespace) -> Int32? {
    let found = try? withExtendedLifetime(namespace) {
      try dump("get namespace id", namespace.quotedName, { buf, size, seq in
        cnet_msg_getnsid(buf, size, seq, namespace.fd)
      }, parse: { message -> Int32? in
        var id: Int32 = -1
        guard cnet_parse_nsid(message, &id) == 0, id >= 0 else { return nil }
        return id
      })
    }
    return found?.first
  }
}
