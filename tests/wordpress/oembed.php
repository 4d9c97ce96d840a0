<?php
// php oembed.php SITE_DIR URL: what WordPress's oEmbed does with URL, step by step, as JSON
// (discovered provider, the provider's answer, the HTML it would put in a post).
require rtrim($argv[1], '/') . '/wp-load.php';

$url = $argv[2];
$oembed = _wp_oembed_get_object();
$known = $oembed->get_provider($url, ['discover' => false]);
$provider = $known ?: $oembed->discover($url);
$data = $provider ? $oembed->fetch($provider, $url) : false;
echo json_encode([
    'known_provider' => $known,
    'discovered_provider' => $provider,
    'provider_answer' => $data,
    'html' => wp_oembed_get($url),  // after wp_filter_oembed_result (sandbox, secret)
    'embed_defaults' => wp_embed_defaults($url),
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
