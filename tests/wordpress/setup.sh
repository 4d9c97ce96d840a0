#!/usr/bin/env bash
# A throw-away WordPress (Debian's package, 6.1.x) for the embedding tests.
# Usage: bash tests/wordpress/setup.sh SITE_DIR [EXTRA_PORT…]
#        bash tests/wordpress/setup.sh --packages   (only the Debian packages, for scripts/test.sh)
#   SITE_DIR     where the site is copied (created; a new copy gets a new, empty database)
#   EXTRA_PORT   ports WordPress may fetch from besides 80/443/8080 (also WP_EXTRA_PORTS
#                at run time, read by the must-use plugin)
#   WP_TEST_DB   database name (default webmap_wp); one per concurrent site
# Users: admin, author (role author), editor (role editor); password WP_TEST_PASSWORD
# (default "webmap-test"). Idempotent: run it again, it only does what is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
site="${1:?usage: setup.sh SITE_DIR [EXTRA_PORT…]}"; shift
extra_ports="$*"
db="${WP_TEST_DB:-webmap_wp}"
db_user="webmap_wp" db_password="webmap-wp-db"
password="${WP_TEST_PASSWORD:-webmap-test}"
start=$SECONDS
say() { printf '[wordpress %3ds] %s\n' "$((SECONDS - start))" "$*"; }

# 1. Debian packages (root runs apt-get itself, anyone else through sudo).
missing=()
[ -f /usr/share/wordpress/wp-load.php ] || missing+=(wordpress)
command -v php >/dev/null || missing+=(php-cli)
php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' 2>/dev/null || missing+=(php-mysql)
[ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ] || missing+=(mariadb-server)
if [ "${#missing[@]}" -gt 0 ]; then
  root=(); [ "$(id -u)" -ne 0 ] && root=(sudo)
  say "installing ${missing[*]}"
  # Exit code 3: the packages cannot be installed here (the tests skip, nothing else does).
  "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || exit 3
  "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    wordpress mariadb-server php-cli php-mysql >/dev/null || exit 3
fi
say "packages: wordpress $(dpkg-query -W -f='${Version}' wordpress), $(php -r 'echo "php ", PHP_VERSION;')"
[ "$site" = "--packages" ] && exit 0

# 2. MariaDB running, database and user.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! as_root mysqladmin ping >/dev/null 2>&1; then
  say "starting MariaDB"
  as_root service mariadb start >/dev/null 2>&1 || (as_root mysqld_safe >/dev/null 2>&1 &)
  for _ in $(seq 100); do as_root mysqladmin ping >/dev/null 2>&1 && break; sleep 0.2; done
  as_root mysqladmin ping >/dev/null
fi
new_site=0
[ -f "$site/wp-config.php" ] || new_site=1
if [ "$new_site" -eq 1 ]; then
  as_root mysql -u root -e "DROP DATABASE IF EXISTS \`$db\`"
fi
as_root mysql -u root <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$db_user'@'localhost' IDENTIFIED BY '$db_password';
GRANT ALL ON \`$db\`.* TO '$db_user'@'localhost';
SQL
say "database $db ready (user $db_user)"

# 3. The site: a real copy (Debian's tree is full of relative symlinks) and our own config.
if [ "$new_site" -eq 1 ]; then
  mkdir -p "$site"
  cp -rL /usr/share/wordpress/. "$site/"
  rm -f "$site/wp-config.php"
  salt="$(head -c 48 /dev/urandom | base64 | tr -d '/+=')"
  cat > "$site/wp-config.php" <<PHP
<?php
// Test site only. The address follows the request (php -S on any port), or WP_TEST_URL
// for command-line scripts.
define('DB_NAME', '$db');
define('DB_USER', '$db_user');
define('DB_PASSWORD', '$db_password');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
\$url = getenv('WP_TEST_URL') ?: 'http://' . (\$_SERVER['HTTP_HOST'] ?? '127.0.0.1');
define('WP_HOME', \$url);
define('WP_SITEURL', \$url);
foreach (['AUTH', 'SECURE_AUTH', 'LOGGED_IN', 'NONCE'] as \$k) {
    define("{\$k}_KEY", '$salt' . \$k);
    define("{\$k}_SALT", '$salt' . \$k . 'salt');
}
// No cron loopback, no updates, no requests to the internet (loopback is still allowed).
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_ACCESSIBLE_HOSTS', 'localhost,127.0.0.1');
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', __DIR__ . '/wp-content/debug.log');
\$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
PHP
  say "copied WordPress to $site"
fi

# 4. Router for php -S: existing files as they are, everything else to index.php
#    (without it, /wp-json/oembed/1.0/proxy is a 404 because of the dot).
cp "$here/router.php" "$site/router.php"

# 5. Must-use plugin: WordPress may fetch the map on a loopback host and an extra port.
mkdir -p "$site/wp-content/mu-plugins"
sed "s/@EXTRA_PORTS@/${extra_ports}/" "$here/allow-map-port.php" \
  > "$site/wp-content/mu-plugins/allow-map-port.php"
say "mu-plugin allows loopback hosts and ports ${extra_ports:-(none)} (plus \$WP_EXTRA_PORTS at run time)"

# 6. Install the site and its users (skipped when already there).
WP_TEST_URL="${WP_TEST_URL:-http://127.0.0.1}" WP_TEST_PASSWORD="$password" \
  php "$here/install.php" "$site" | while read -r line; do say "$line"; done
say "done"
