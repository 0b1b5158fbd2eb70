/// The schema, as a list of migrations. `PRAGMA user_version` records how
/// many have run; each runs once, in its own transaction, in order. Append
/// new migrations; never edit one that has shipped.
enum Migrations {
  static let all: [String] = [
    // 1: networks, the default IPAM's pools and leases, sandboxes,
    // endpoints and boot facts.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    -- state: creating (being realised; undone if interrupted), ready,
    -- removing (finished if interrupted).
    CREATE TABLE networks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      driver TEXT NOT NULL,
      ipam_driver TEXT NOT NULL,
      bridge TEXT,
      mtu INTEGER,
      internal INTEGER NOT NULL DEFAULT 0,
      ipv6 INTEGER NOT NULL DEFAULT 0,
      options TEXT NOT NULL DEFAULT '',
      labels TEXT NOT NULL DEFAULT '',
      created TEXT NOT NULL,
      state TEXT NOT NULL
    );

    -- What each network got from its IPAM driver, in order.
    CREATE TABLE network_pools (
      network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      pool_id TEXT NOT NULL,
      subnet TEXT NOT NULL,
      ip_range TEXT,
      gateway TEXT,
      PRIMARY KEY (network_id, position)
    );

    -- The default IPAM driver's pools; identical requests share one.
    CREATE TABLE pools (
      id TEXT PRIMARY KEY,
      address_space TEXT NOT NULL,
      subnet TEXT NOT NULL,
      ip_range TEXT NOT NULL DEFAULT '',
      refs INTEGER NOT NULL,
      cursor BLOB
    );
    CREATE UNIQUE INDEX pools_request ON pools(address_space, subnet, ip_range);

    -- Addresses taken in a pool, as big-endian bytes (so they sort as numbers).
    CREATE TABLE leases (
      pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
      address BLOB NOT NULL,
      PRIMARY KEY (pool_id, address)
    ) WITHOUT ROWID;

    -- origin: created (cnet made the namespace), pid (cnet linked a
    -- process's namespace), netns (an existing named namespace), host (the
    -- host's own namespace). auto: made by join/connect, removed with its
    -- last endpoint. hosts_mode: link (its hosts file is its only network's)
    -- or own (a file of its own, rewritten when one of its networks changes).
    CREATE TABLE sandboxes (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      netns TEXT NOT NULL,
      origin TEXT NOT NULL,
      pid INTEGER,
      auto INTEGER NOT NULL,
      hostname TEXT NOT NULL,
      dns TEXT NOT NULL DEFAULT '',
      dns_search TEXT NOT NULL DEFAULT '',
      extra_hosts TEXT NOT NULL DEFAULT '',
      hosts_mode TEXT NOT NULL DEFAULT 'own',
      created TEXT NOT NULL,
      state TEXT NOT NULL
    );

    -- state: creating | ready | deleting; join_state: NULL (not joined),
    -- joining (undone if interrupted), joined, leaving (finished).
    CREATE TABLE endpoints (
      id TEXT PRIMARY KEY,
      network_id TEXT NOT NULL REFERENCES networks(id),
      name TEXT NOT NULL,
      ipv4 TEXT,
      ipv4_pool TEXT,
      ipv6 TEXT,
      ipv6_pool TEXT,
      mac TEXT,
      aliases TEXT NOT NULL DEFAULT '',
      auto INTEGER NOT NULL DEFAULT 0,
      created TEXT NOT NULL,
      state TEXT NOT NULL,
      sandbox_id TEXT REFERENCES sandboxes(id),
      interface TEXT,
      host_interface TEXT,
      join_state TEXT,
      UNIQUE (network_id, name)
    );
    CREATE INDEX endpoints_sandbox ON endpoints(sandbox_id);
    CREATE INDEX endpoints_name ON endpoints(name);
    CREATE INDEX endpoints_unsettled ON endpoints(id)
      WHERE state != 'ready' OR join_state IN ('joining', 'leaving');
    CREATE INDEX sandboxes_unsettled ON sandboxes(id) WHERE state != 'ready';
    CREATE INDEX sandboxes_own_hosts ON sandboxes(id) WHERE hosts_mode = 'own';
    CREATE INDEX networks_unsettled ON networks(id) WHERE state != 'ready';
    """,
    // 2: published ports, one per line as `-p` writes them canonically
    // ("127.0.0.1:8080:80/tcp"); a line list like aliases, since a port is
    // only ever read with its endpoint.
    """
    ALTER TABLE endpoints ADD COLUMN ports TEXT NOT NULL DEFAULT '';
    CREATE INDEX endpoints_publishing ON endpoints(id) WHERE ports != '';
    """,
    // 3: the namespace file of a sandbox another manager made (dockerd's
    // SandboxKey), which cnet links under the sandbox's name.
    """
    ALTER TABLE sandboxes ADD COLUMN target TEXT;
    """,
    // 4: a bridge network's MAC address, chosen when it is made and given
    // to its bridge whenever it is realised, so that it never follows its
    // ports'. Networks stored before get one now.
    """
    ALTER TABLE networks ADD COLUMN mac TEXT;
    UPDATE networks SET mac = printf('%02x:%02x:%02x:%02x:%02x:%02x',
      (abs(random()) % 256) & 254 | 2, abs(random()) % 256, abs(random()) % 256, abs(random()) % 256,
      abs(random()) % 256, abs(random()) % 256)
    WHERE bridge IS NOT NULL;
    """,
    // 5: the container a CNI runtime's sandbox is for (CNI_CONTAINERID):
    // its attachments are found by (container id, interface), also when
    // its namespace is gone; and the CNI configuration (its name) an
    // attachment was made under, which is what a runtime's GC lists.
    """
    ALTER TABLE sandboxes ADD COLUMN container_id TEXT;
    CREATE INDEX sandboxes_container ON sandboxes(container_id) WHERE container_id IS NOT NULL;
    ALTER TABLE endpoints ADD COLUMN cni_config TEXT;
    """,
  ]

  /// Refuses a database this cnet cannot read without upgrading it (for a
  /// store that cannot be written).
  static func check(_ database: Database) throws {
    let current = try database.statement("PRAGMA user_version").first { $0.int(0) } ?? 0
    guard current == all.count else {
      throw StoreError("the store at \(database.path) has schema version \(current), this cnet reads \(all.count); \(current > all.count ? "use a newer cnet" : "it is read-only, so it cannot be brought up to date")")
    }
  }

  /// Brings the database to the newest schema.
  static func run(on database: Database) throws {
    let current = try database.statement("PRAGMA user_version").first { $0.int(0) } ?? 0
    guard current < all.count else {
      if current > all.count {
        throw StoreError("the store at \(database.path) has schema version \(current), newer than this cnet knows (\(all.count)); use a newer cnet")
      }
      return
    }
    for index in current..<all.count {
      try database.transaction {
        try database.execute(all[index], "bring up to date")
        try database.execute("PRAGMA user_version = \(index + 1)", "bring up to date")
      }
    }
  }
}
