<?php
// php install.php SITE_DIR: installs WordPress (when not yet installed) and its test users.
// Password: $WP_TEST_PASSWORD. Prints what it did, one line per step.
define('WP_INSTALLING', true);
function wp_mail() { return true; }  // no mail server: the install's notice goes nowhere
require rtrim($argv[1], '/') . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$password = getenv('WP_TEST_PASSWORD') ?: 'webmap-test';
if (!is_blog_installed()) {
    $result = wp_install('Préfecture (site de test)', 'admin', 'admin@example.invalid', false, '', wp_slash($password));
    echo "installed WordPress ", get_bloginfo('version'), " (admin user ", $result['user_id'], ")\n";
} else {
    echo "WordPress ", get_bloginfo('version'), " already installed\n";
}
// Pretty permalinks, as on a real site (/wp-json/… then works; php -S routes through router.php).
global $wp_rewrite;
if (get_option('permalink_structure') !== '/%postname%/') {
    $wp_rewrite->set_permalink_structure('/%postname%/');
    $wp_rewrite->flush_rules(false);
    echo "permalinks: /%postname%/\n";
}
foreach (['author' => 'author', 'editor' => 'editor'] as $login => $role) {
    $user = get_user_by('login', $login);
    if (!$user) {
        $id = wp_insert_user(['user_login' => $login, 'user_pass' => $password, 'role' => $role,
                              'user_email' => "$login@example.invalid", 'display_name' => ucfirst($login)]);
        if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
        echo "created user $login (role $role, id $id)\n";
    } else {
        echo "user $login exists (id {$user->ID})\n";
    }
}
