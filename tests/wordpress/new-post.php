<?php
// php new-post.php SITE_DIR LOGIN [TITLE] < CONTENT
// Publishes a post written by user LOGIN (capabilities applied: an author's content is
// filtered as WordPress filters it on save). Prints JSON: {"id": …, "url": …}.
require rtrim($argv[1], '/') . '/wp-load.php';

$user = get_user_by('login', $argv[2]);
if (!$user) { fwrite(STDERR, "no user {$argv[2]}\n"); exit(1); }
wp_set_current_user($user->ID);
kses_init();  // the current user's content filters (unfiltered_html or not)
$id = wp_insert_post([
    'post_author' => $user->ID,
    'post_title' => $argv[3] ?? 'Carte des projets',
    'post_content' => wp_slash(stream_get_contents(STDIN)),
    'post_status' => 'publish',
], true);
if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
echo json_encode(['id' => $id, 'url' => get_permalink($id), 'content' => get_post_field('post_content', $id)]), "\n";
