# What the tests need of the machine, checked without changing anything and without apt
# (sourced by scripts/setup and scripts/test; the package list is scripts/lib/debian-packages).

# The portal's PostgreSQL fixture reads this connection string from ONESTOPPI_TEST_PG; scripts/setup
# creates the role and database it names, scripts/test exports it when the server answers.
ONESTOPPI_PG_CONNECTION="Host=127.0.0.1;Port=5432;Database=onestoppi;Username=onestoppi;Password=onestoppi-ci"
prerequisites_list="$(dirname "${BASH_SOURCE[0]}")/debian-packages"

# The package names of the list, one a line.
wanted_packages() {
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$prerequisites_list" | awk '{print $1}'
}

# The wanted packages that are not installed, one a line: one dpkg-query for all of them.
# A name without an architecture is satisfied by the native one or an "all" package; name:arch by exactly that.
missing_packages() {
  local native
  native=$(dpkg --print-architecture)
  mapfile -t wanted < <(wanted_packages)
  dpkg-query -W -f='${Package} ${Architecture} ${db:Status-Abbrev}\n' "${wanted[@]%%:*}" 2>/dev/null |
    awk -v native="$native" -v list="${wanted[*]}" '
      $3 == "ii" { ok[$1 ":" $2] = 1; if ($2 == native || $2 == "all") ok[$1] = 1 }
      END { n = split(list, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in ok)) print w[i] }'
}

# True when arm64 binaries run through qemu-user: binfmt_misc mounted and qemu-aarch64 registered and enabled.
binfmt_ready() {
  [ -r /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && head -n 1 /proc/sys/fs/binfmt_misc/qemu-aarch64 | grep -qx enabled
}

# True when the test role logs in to the test database on 127.0.0.1:5432 (what the PostgreSQL fixture does).
pg_ready() {
  command -v psql >/dev/null || return 1
  PGPASSWORD=onestoppi-ci PGCONNECT_TIMEOUT=3 psql -q -X -h 127.0.0.1 -p 5432 -U onestoppi -d onestoppi -tAc 'SELECT 1' >/dev/null 2>&1
}

# Prints what is missing, one item a line (nothing when all is in place).
missing_prerequisites() {
  local packages
  packages=$(missing_packages | tr '\n' ' ')
  [ -z "$packages" ] || echo "Debian packages: ${packages% }"
  binfmt_ready || echo "binfmt: qemu-aarch64 is not registered (arm64 binaries cannot run under qemu-user)"
  pg_ready || echo "PostgreSQL: the test cluster does not answer on 127.0.0.1:5432 as role onestoppi"
}
