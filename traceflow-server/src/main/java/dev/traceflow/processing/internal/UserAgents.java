package dev.traceflow.processing.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.stereotype.Component;
import ua_parser.Client;
import ua_parser.Parser;

import java.util.regex.Pattern;

/**
 * User agent to browser / OS / device type, with uap-java (the ua-parser project's regexes).
 * Parsing costs tens of microseconds, and real traffic repeats a few thousand agents, so
 * results are cached.
 */
@Component
class UserAgents {

    /**
     * Crawlers, uptime monitors and automated browsers uap-java does not flag as a Spider device.
     * Plain HTTP clients (curl, okhttp, node-fetch...) are deliberately not bots: backends and
     * server-side SDKs send real events with them (seed 002's backend integration does).
     */
    private static final Pattern BOT = Pattern.compile(
            "(?i)bot\\b|bot/|crawl|spider|slurp|headlesschrome|lighthouse|pingdom|uptimerobot|statuscake|site24x7|"
                    + "phantomjs|puppeteer|playwright|selenium|webdriver|facebookexternalhit|bingpreview|scrapy|"
                    + "google-inspectiontool|chrome-lighthouse|gtmetrix|pagespeed");
    private static final Pattern TABLET = Pattern.compile("(?i)ipad|tablet|kindle|silk/|playbook|nexus (7|9|10)|sm-t\\d");
    private static final Pattern MOBILE = Pattern.compile("(?i)mobi|iphone|ipod|android.*mobile|windows phone|blackberry|opera mini");

    private final Parser parser = new Parser();
    private final Cache<String, ClientInfo> cache = Caffeine.newBuilder().maximumSize(20_000).build();

    /** @param userAgent a User-Agent header; null or blank gives an all-null result */
    ClientInfo parse(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return ClientInfo.UNKNOWN;
        }
        String key = userAgent.length() > 512 ? userAgent.substring(0, 512) : userAgent;
        return cache.get(key, this::parseUncached);
    }

    private ClientInfo parseUncached(String ua) {
        Client c = parser.parse(ua);
        boolean bot = "Spider".equals(c.device.family) || BOT.matcher(ua).find();
        String deviceType;
        if (bot) {
            deviceType = "bot";
        } else if (TABLET.matcher(ua).find() || (ua.contains("Android") && !ua.contains("Mobile"))) {
            deviceType = "tablet";
        } else if (MOBILE.matcher(ua).find()) {
            deviceType = "mobile";
        } else {
            deviceType = "desktop";
        }
        return new ClientInfo(other(c.userAgent.family), c.userAgent.major, other(c.os.family),
                join(c.os.major, c.os.minor), deviceType, bot);
    }

    private static String other(String family) {
        return family == null || "Other".equals(family) ? null : family;
    }

    private static String join(String major, String minor) {
        if (major == null) {
            return null;
        }
        return minor == null ? major : major + "." + minor;
    }

    record ClientInfo(String browser, String browserVersion, String os, String osVersion, String deviceType, boolean bot) {
        static final ClientInfo UNKNOWN = new ClientInfo(null, null, null, null, null, false);
    }
}
