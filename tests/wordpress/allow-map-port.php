<?php
/*
 * Plugin Name: Test site: let WordPress fetch the map on a loopback port
 * Test site only. Ports: those given to setup.sh and $WP_EXTRA_PORTS (space or comma
 * separated) of the php -S process.
 */
add_filter('http_allowed_safe_ports', function ($ports) {
    $extra = preg_split('/[\s,]+/', '@EXTRA_PORTS@ ' . (getenv('WP_EXTRA_PORTS') ?: ''), -1, PREG_SPLIT_NO_EMPTY);
    return array_values(array_unique(array_merge($ports, array_map('intval', $extra))));
});
add_filter('http_request_host_is_external', function ($external, $host) {
    return $external || in_array($host, ['127.0.0.1', 'localhost'], true);
}, 10, 2);
// WordPress 6.1 on PHP 8.2 logs many deprecation notices: keep debug.log for real errors.
error_reporting(E_ALL & ~E_DEPRECATED);
