"""The demo sites and the inventories their Drupal clients push.

* A Drupal 7 intranet that nobody has updated since mid-2014, judged against
  the real drupal.org 7.x feeds of that time (`feeds/*-7.x.xml`). It reports
  with the first-generation client (payload shape A).
* A Drupal 10 corporate site that fell behind: core on the unsupported 10.2
  branch, an old ctools branch, CKEditor 4 leftovers. It pushes the way an
  operator sets a site up: `clients/modwatch-push` posting what
  `drush pm-list --format=json` prints (`drush_pm_list`); its shape B payload
  says the same.
* A Drupal 11 product portal that is mostly up to date, with the odd
  problem: a release marked insecure, a release drupal.org pulled, a dev
  snapshot, a module from a vendor's private repository. Shape B.
* A Drupal 10 events microsite one minor behind (10.3 while 10.4 is out), so
  core's security coverage is ending, with a module whose newer security
  release is listed while its own release is not marked Insecure. Shape B.

The modern sites are judged against hand-written `current` feeds dated
January 2025 (`feeds/*-current.xml`); `gin_toolbar`'s feed is a truncated
download on purpose, so one project shows what a failed fetch looks like.

Between them the sites hit every status of the update report and every state
of core's security coverage; `EXPECTED` and `EXPECTED_CORE_COVERAGE` say which
site shows which, and the tests hold the demo to them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class DemoModule:
    machine_name: str
    name: str
    version: str
    module_type: str = "contrib"
    project: str | None = None
    enabled: bool = True
    datestamp: int | None = None  # dev snapshots packaged by drupal.org carry one


@dataclass(frozen=True)
class DemoSite:
    name: str
    url: str
    core_version: str
    php_version: str
    shape: str  # "A" (first-generation client) or "B"
    modules: tuple[DemoModule, ...]
    pushed_with_client: bool = False  # clients/modwatch-push sends drush's output instead

    def drush_pm_list(self) -> dict:
        """What `drush pm-list --format=json` (Drush 9 to 13) prints on this site."""
        return {module.machine_name: _drush_extension(module) for module in self.modules}

    def payload(self, collected_at: datetime | None = None) -> dict:
        """The inventory as this site's client sends it: always a full sync."""
        if self.shape == "A":
            return {
                "site": {"url": self.url, "name": self.name},
                "drupal_info": {"core_version": self.core_version, "php_version": self.php_version},
                "modules": [_module_a(m) for m in self.modules],
                "full_sync": True,
            }
        return {
            "site_info": {"name": self.name, "url": self.url, "environment": "production"},
            "modules": [_module_b(m) for m in self.modules],
            "sync_timestamp": (collected_at or datetime.now(UTC)).isoformat(),
            "drupal_version": self.core_version,
            "php_version": self.php_version,
            "sync_type": "full",
        }


def _optional(module: DemoModule) -> dict:
    return {**({"project": module.project} if module.project else {}),
            **({"datestamp": module.datestamp} if module.datestamp is not None else {})}


def _module_a(module: DemoModule) -> dict:
    return {"machine_name": module.machine_name, "display_name": module.name,
            "module_type": module.module_type, "enabled": module.enabled, "version": module.version,
            **_optional(module)}


def _module_b(module: DemoModule) -> dict:
    return {"machine_name": module.machine_name, "name": module.name, "type": module.module_type,
            "version": module.version, "status": module.enabled, **_optional(module)}


def _drush_extension(module: DemoModule) -> dict:
    kind = "theme" if module.machine_name in DEMO_THEMES else "module"
    project = (module.project or module.machine_name) if module.module_type == "contrib" else ""
    folder = {"core": f"core/{kind}s", "contrib": f"{kind}s/contrib/{project}",
              "custom": f"{kind}s/custom"}[module.module_type]
    return {"package": "Core" if module.module_type == "core" else "Other", "project": project,
            "display_name": f"{module.name} ({module.machine_name})", "name": module.machine_name, "type": kind,
            "path": folder if module.machine_name == project else f"{folder}/{module.machine_name}",
            "status": "Enabled" if module.enabled else "Disabled", "version": module.version}


def _named(modules: str) -> list[tuple[str, str]]:
    """"machine:Name, machine:Name" -> [(machine, Name), ...]."""
    pairs = (item.split(":", 1) for item in modules.split(","))
    return [(machine.strip(), name.strip()) for machine, name in pairs]


def core(version: str, modules: str) -> tuple[DemoModule, ...]:
    """Core modules: they all ship in project `drupal`, at the site's core version."""
    return tuple(DemoModule(machine, name, version, "core") for machine, name in _named(modules))


def project(name: str, version: str, modules: str) -> tuple[DemoModule, ...]:
    """The modules of one contrib project, all at the project's version."""
    return tuple(DemoModule(machine, label, version, project=None if machine == name else name)
                 for machine, label in _named(modules))


def custom(version: str, modules: str) -> tuple[DemoModule, ...]:
    return tuple(DemoModule(machine, name, version, "custom") for machine, name in _named(modules))


D7_CORE = "7.28"
DRUPAL7_INTRANET = DemoSite(
    name="Staff intranet (Drupal 7)",
    url="https://intranet.demo.example.org",
    core_version=D7_CORE,
    php_version="5.6.40",
    shape="A",
    modules=(
        *core(D7_CORE, "block:Block, color:Color, comment:Comment, contextual:Contextual links, "
                       "dashboard:Dashboard, dblog:Database logging, field:Field, "
                       "field_sql_storage:Field SQL storage, field_ui:Field UI, file:File, filter:Filter, "
                       "help:Help, image:Image, list:List, locale:Locale, menu:Menu, node:Node, "
                       "number:Number, options:Options, path:Path, rdf:RDF, search:Search, "
                       "shortcut:Shortcut, system:System, taxonomy:Taxonomy, text:Text, toolbar:Toolbar, "
                       "update:Update manager, user:User, bartik:Bartik, seven:Seven"),
        # A git checkout of a dev branch: no packaging datestamp, so no verdict.
        *project("devel", "7.x-1.x-dev", "devel:Devel, devel_generate:Devel generate"),
        # A packaged dev snapshot from before the latest beta.
        DemoModule("addressfield", "Address Field", "7.x-1.x-dev", datestamp=1375315200),
        DemoModule("devel_themer", "Theme developer", "7.x-1.x-dev", enabled=False, datestamp=1380804860),
        *project("admin_menu", "7.x-3.0-rc4", "admin_menu:Administration menu, "
                                              "admin_menu_toolbar:Administration menu Toolbar style"),
        DemoModule("admin_views", "Administration Views", "7.x-1.2"),
        DemoModule("backup_migrate", "Backup and Migrate", "7.x-2.8"),
        DemoModule("botcha", "BOTCHA Spam Prevention", "7.x-3.3"),
        DemoModule("moopapi", "Module Object Oriented Programming API", "7.x-1.2"),
        DemoModule("ckeditor", "CKEditor", "7.x-1.13"),
        DemoModule("coffee", "Coffee", "7.x-2.2"),
        DemoModule("compact_forms", "Compact Forms", "7.x-1.0"),
        DemoModule("content_access", "Content Access", "7.x-1.2-beta2"),
        *project("context", "7.x-3.2", "context:Context, context_ui:Context UI"),
        *project("ctools", "7.x-1.4", "ctools:Chaos tools, page_manager:Page manager, "
                                      "views_content:Views content panes"),
        *project("date", "7.x-2.7", "date:Date, date_api:Date API, date_popup:Date Popup, date_views:Date Views"),
        DemoModule("diff", "Diff", "7.x-3.2"),
        DemoModule("email", "Email", "7.x-1.2"),
        *project("entity", "7.x-1.5", "entity:Entity API, entity_token:Entity tokens"),
        DemoModule("facetapi", "Facet API", "7.x-1.3"),
        DemoModule("features", "Features", "7.x-2.0"),
        DemoModule("field_group", "Field Group", "7.x-1.3"),
        DemoModule("globalredirect", "Global Redirect", "7.x-1.5"),
        # The 1.x branch is no longer supported: drupal.org recommends 7.x-2.0.
        DemoModule("googleanalytics", "Google Analytics", "7.x-1.4", project="google_analytics"),
        DemoModule("imce", "IMCE", "7.x-1.9"),
        DemoModule("imce_wysiwyg", "IMCE Wysiwyg bridge", "7.x-1.0"),
        DemoModule("link", "Link", "7.x-1.2"),
        DemoModule("linkit", "Linkit", "7.x-2.6"),
        DemoModule("logintoboggan", "LoginToboggan", "7.x-1.3"),
        DemoModule("mail_redirect", "Mail Redirect", "7.x-2.0", enabled=False),
        DemoModule("manualcrop", "Manual Crop", "7.x-1.4"),
        DemoModule("metatag", "Metatag", "7.x-1.0-beta9"),
        DemoModule("module_filter", "Module filter", "7.x-1.8"),
        DemoModule("pathauto", "Pathauto", "7.x-1.2"),
        DemoModule("rubik", "Rubik", "7.x-4.1"),
        *project("rules", "7.x-2.7", "rules:Rules, rules_admin:Rules UI"),
        *project("search_api", "7.x-1.11", "search_api:Search API, search_api_views:Search views"),
        DemoModule("search_api_db", "Database search", "7.x-1.3"),
        DemoModule("search_api_page", "Search pages", "7.x-1.1"),
        DemoModule("search_krumo", "Search Krumo", "7.x-1.5", enabled=False),
        DemoModule("security_review", "Security Review", "7.x-1.1"),
        DemoModule("select_or_other", "Select (or other)", "7.x-2.20"),
        DemoModule("seotools", "SEO Tools", "7.x-1.0-alpha6"),
        DemoModule("shiny", "Shiny", "7.x-1.5"),
        DemoModule("stage_file_proxy", "Stage File Proxy", "7.x-1.6", enabled=False),
        DemoModule("strongarm", "Strongarm", "7.x-2.0"),
        DemoModule("token", "Token", "7.x-1.5"),
        *project("views", "7.x-3.7", "views:Views, views_ui:Views UI"),
        DemoModule("webform", "Webform", "7.x-3.19"),
        DemoModule("weight", "Weight", "7.x-2.3"),
        *project("xmlsitemap", "7.x-2.0", "xmlsitemap:XML sitemap, xmlsitemap_node:XML sitemap node, "
                                          "xmlsitemap_menu:XML sitemap menu, "
                                          "xmlsitemap_engines:XML sitemap engines"),
        *custom("7.x-1.3", "intranet_core:Intranet core, intranet_directory:Staff directory, "
                           "intranet_theme:Intranet theme"),
    ),
)

D10_CORE = "10.2.7"
DRUPAL10_CORPORATE = DemoSite(
    name="Corporate website (Drupal 10)",
    url="https://www.corporate.demo.example.org",
    core_version=D10_CORE,
    php_version="8.2.26",
    shape="B",
    pushed_with_client=True,
    modules=(
        *core(D10_CORE, "automated_cron:Automated Cron, big_pipe:BigPipe, block:Block, "
                        "block_content:Custom Block, breakpoint:Breakpoint, ckeditor5:CKEditor 5, "
                        "comment:Comment, config:Configuration Manager, contact:Contact, "
                        "contextual:Contextual Links, datetime:Datetime, dblog:Database Logging, "
                        "dynamic_page_cache:Internal Dynamic Page Cache, editor:Text Editor, field:Field, "
                        "field_ui:Field UI, file:File, filter:Filter, help:Help, history:History, "
                        "image:Image, inline_form_errors:Inline Form Errors, language:Language, "
                        "layout_builder:Layout Builder, layout_discovery:Layout Discovery, link:Link, "
                        "media:Media, media_library:Media Library, menu_link_content:Custom Menu Links, "
                        "menu_ui:Menu UI, mysql:MySQL, node:Node, options:Options, "
                        "page_cache:Internal Page Cache, path:Path, path_alias:Path alias, "
                        "responsive_image:Responsive Image, search:Search, shortcut:Shortcut, "
                        "system:System, taxonomy:Taxonomy, text:Text, toolbar:Toolbar, update:Update Manager, "
                        "user:User, views:Views, views_ui:Views UI, olivero:Olivero, claro:Claro"),
        *project("admin_toolbar", "3.5.0", "admin_toolbar:Admin Toolbar, "
                                           "admin_toolbar_tools:Admin Toolbar Extra Tools, "
                                           "admin_toolbar_search:Admin Toolbar Search"),
        DemoModule("pathauto", "Pathauto", "8.x-1.12"),
        DemoModule("token", "Token", "8.x-1.15"),
        # The 8.x-3.x branch is unsupported; drupal.org points to 4.1.
        DemoModule("ctools", "Chaos Tools", "8.x-3.14"),
        *project("metatag", "2.0.2", "metatag:Metatag, metatag_open_graph:Metatag: Open Graph, "
                                     "metatag_twitter_cards:Metatag: Twitter Cards"),
        *project("webform", "6.2.2", "webform:Webform, webform_ui:Webform UI"),
        DemoModule("paragraphs", "Paragraphs", "8.x-1.17"),
        DemoModule("entity_reference_revisions", "Entity Reference Revisions", "8.x-1.12"),
        DemoModule("redirect", "Redirect", "8.x-1.9"),
        DemoModule("google_analytics", "Google Analytics", "4.0.2"),
        DemoModule("simple_sitemap", "Simple XML Sitemap", "4.2.1"),
        *project("search_api", "8.x-1.35", "search_api:Search API, search_api_db:Database Search"),
        DemoModule("facets", "Facets", "2.0.8"),
        DemoModule("field_group", "Field Group", "8.x-3.6"),
        DemoModule("views_bulk_operations", "Views Bulk Operations", "4.2.7"),
        # Composer-installed from the dev branch: no datestamp in the .info.yml.
        DemoModule("devel", "Devel", "5.x-dev", enabled=False),
        # CKEditor 4 leftovers from the Drupal 9 upgrade.
        DemoModule("ckeditor", "CKEditor 4", "1.0.2", enabled=False),
        DemoModule("ckeditor_uploadimage", "CKEditor Upload Image", "8.x-1.4", enabled=False),
        *custom("1.4.0", "corporate_blocks:Corporate blocks, corporate_migrate:Corporate migrations, "
                         "corporate_theme:Corporate theme"),
    ),
)

D11_CORE = "11.1.1"
# The easy_breadcrumb dev snapshot was packaged with drupal.org's 2.0.x-dev build of 2024-12-20.
EASY_BREADCRUMB_SNAPSHOT = 1734717600
DRUPAL11_PORTAL = DemoSite(
    name="Product portal (Drupal 11)",
    url="https://portal.demo.example.org",
    core_version=D11_CORE,
    php_version="8.3.15",
    shape="B",
    modules=(
        *core(D11_CORE, "automated_cron:Automated Cron, big_pipe:BigPipe, block:Block, "
                        "block_content:Block Content, breakpoint:Breakpoint, ckeditor5:CKEditor 5, "
                        "config:Configuration Manager, contextual:Contextual Links, datetime:Datetime, "
                        "dblog:Database Logging, dynamic_page_cache:Internal Dynamic Page Cache, "
                        "editor:Text Editor, field:Field, field_ui:Field UI, file:File, filter:Filter, "
                        "help:Help, image:Image, jsonapi:JSON:API, language:Language, link:Link, "
                        "media:Media, media_library:Media Library, menu_link_content:Custom Menu Links, "
                        "menu_ui:Menu UI, node:Node, options:Options, page_cache:Internal Page Cache, "
                        "path:Path, path_alias:Path alias, pgsql:PostgreSQL, serialization:Serialization, "
                        "system:System, taxonomy:Taxonomy, text:Text, toolbar:Toolbar, update:Update Status, "
                        "user:User, views:Views, views_ui:Views UI, olivero:Olivero, claro:Claro"),
        *project("admin_toolbar", "3.5.1", "admin_toolbar:Admin Toolbar, "
                                           "admin_toolbar_tools:Admin Toolbar Extra Tools"),
        DemoModule("pathauto", "Pathauto", "8.x-1.13"),
        DemoModule("token", "Token", "8.x-1.15"),
        DemoModule("ctools", "Chaos Tools", "4.1.0"),
        DemoModule("metatag", "Metatag", "2.1.0"),
        *project("webform", "6.2.9", "webform:Webform, webform_ui:Webform UI"),
        DemoModule("paragraphs", "Paragraphs", "8.x-1.18"),
        DemoModule("entity_reference_revisions", "Entity Reference Revisions", "8.x-1.12"),
        DemoModule("redirect", "Redirect", "8.x-1.10"),
        *project("search_api", "8.x-1.35", "search_api:Search API, search_api_db:Database Search"),
        DemoModule("facets", "Facets", "3.0.0"),
        DemoModule("views_bulk_operations", "Views Bulk Operations", "4.3.2"),
        # 6.1.4 is marked insecure; 6.1.5 is the security release.
        DemoModule("linkit", "Linkit", "6.1.4"),
        # drupal.org unpublished 2.2.0 two days after release.
        DemoModule("smart_trim", "Smart Trim", "2.2.0"),
        DemoModule("gin", "Gin", "8.x-3.0-rc14"),
        # Its release feed comes back truncated: no release data could be read.
        DemoModule("gin_toolbar", "Gin Toolbar", "2.0.0"),
        DemoModule("easy_breadcrumb", "Easy Breadcrumb", "2.0.x-dev", datestamp=EASY_BREADCRUMB_SNAPSHOT),
        # Installed from the vendor's private repository: drupal.org has no such project.
        DemoModule("pim_connector", "PIM connector", "3.2.0"),
        *custom("2.0.0", "portal_api:Portal API, portal_products:Product catalogue, portal_theme:Portal theme"),
    ),
)

# A minor behind, on the newest patch of its branch: 10.3 is covered until 10.5.0 and 10.4 is out, so one
# more minor ends its coverage ("Update to 10.4 or higher soon"). The rule counts minors, not days, so
# this holds whatever the date the demo runs on.
D10_EVENTS_CORE = "10.3.6"
DRUPAL10_EVENTS = DemoSite(
    name="Events microsite (Drupal 10)",
    url="https://events.demo.example.org",
    core_version=D10_EVENTS_CORE,
    php_version="8.3.15",
    shape="B",
    modules=(
        *core(D10_EVENTS_CORE, "automated_cron:Automated Cron, big_pipe:BigPipe, block:Block, "
                               "block_content:Custom Block, ckeditor5:CKEditor 5, config:Configuration Manager, "
                               "datetime:Datetime, datetime_range:Datetime Range, dblog:Database Logging, "
                               "dynamic_page_cache:Internal Dynamic Page Cache, editor:Text Editor, field:Field, "
                               "field_ui:Field UI, file:File, filter:Filter, image:Image, link:Link, "
                               "menu_ui:Menu UI, mysql:MySQL, node:Node, options:Options, "
                               "page_cache:Internal Page Cache, path:Path, path_alias:Path alias, system:System, "
                               "taxonomy:Taxonomy, text:Text, toolbar:Toolbar, update:Update Manager, user:User, "
                               "views:Views, views_ui:Views UI, olivero:Olivero, claro:Claro"),
        DemoModule("token", "Token", "8.x-1.15"),
        DemoModule("pathauto", "Pathauto", "8.x-1.13"),
        # 6.2.8 fixed a hole but drupal.org did not mark 6.2.5 Insecure: listed as a security update, and
        # on a current feed that alone is not NOT_SECURE.
        *project("webform", "6.2.5", "webform:Webform, webform_ui:Webform UI"),
        # Marked Insecure by drupal.org once 6.1.5 came out.
        DemoModule("linkit", "Linkit", "6.1.4"),
        *custom("1.0.3", "events_registration:Event registration, events_theme:Events theme"),
    ),
)

DEMO_SITES = (DRUPAL7_INTRANET, DRUPAL10_CORPORATE, DRUPAL11_PORTAL, DRUPAL10_EVENTS)
DEMO_THEMES = frozenset({"bartik", "seven", "rubik", "olivero", "claro", "gin", "intranet_theme", "corporate_theme",
                         "portal_theme", "events_theme"})

# (site url, machine name) -> the status the update report gives it; one or more per status.
EXPECTED = {
    (DRUPAL7_INTRANET.url, "system"): "NOT_SECURE",  # core 7.28; 7.29 is a security release
    (DRUPAL7_INTRANET.url, "views"): "NOT_SECURE",
    (DRUPAL7_INTRANET.url, "webform"): "NOT_SECURE",
    (DRUPAL7_INTRANET.url, "googleanalytics"): "NOT_SUPPORTED",
    (DRUPAL7_INTRANET.url, "field_group"): "NOT_CURRENT",
    (DRUPAL7_INTRANET.url, "addressfield"): "NOT_CURRENT",
    (DRUPAL7_INTRANET.url, "token"): "CURRENT",
    (DRUPAL7_INTRANET.url, "devel"): "NOT_CHECKED",
    (DRUPAL7_INTRANET.url, "intranet_core"): "UNKNOWN",
    # Core 10.2.7: the 10.2 branch is unsupported; 10.3.9, a security release, is listed.
    (DRUPAL10_CORPORATE.url, "node"): "NOT_SUPPORTED",
    # Security releases are listed, but on current feeds only a release marked Insecure is NOT_SECURE.
    (DRUPAL10_CORPORATE.url, "webform"): "NOT_CURRENT",
    (DRUPAL10_CORPORATE.url, "facets"): "NOT_CURRENT",
    (DRUPAL10_CORPORATE.url, "ckeditor_uploadimage"): "NOT_SECURE",  # project marked insecure
    (DRUPAL10_CORPORATE.url, "ctools"): "NOT_SUPPORTED",
    (DRUPAL10_CORPORATE.url, "ckeditor"): "NOT_SUPPORTED",  # project unsupported
    (DRUPAL10_CORPORATE.url, "metatag"): "NOT_CURRENT",
    (DRUPAL10_CORPORATE.url, "token"): "CURRENT",
    (DRUPAL10_CORPORATE.url, "devel"): "NOT_CHECKED",
    (DRUPAL10_CORPORATE.url, "corporate_blocks"): "UNKNOWN",
    (DRUPAL11_PORTAL.url, "system"): "CURRENT",
    (DRUPAL11_PORTAL.url, "linkit"): "NOT_SECURE",
    (DRUPAL11_PORTAL.url, "smart_trim"): "REVOKED",
    (DRUPAL11_PORTAL.url, "search_api"): "NOT_CURRENT",
    (DRUPAL11_PORTAL.url, "easy_breadcrumb"): "CURRENT",
    (DRUPAL11_PORTAL.url, "gin_toolbar"): "NOT_FETCHED",
    (DRUPAL11_PORTAL.url, "pim_connector"): "UNKNOWN",  # no drupal.org project: the feed is a 404
    (DRUPAL11_PORTAL.url, "portal_api"): "UNKNOWN",
    # Core 10.3.6: 10.4.1 is recommended and 10.3.9, a security release not marked on 10.3.6, is listed.
    (DRUPAL10_EVENTS.url, "system"): "NOT_CURRENT",
    (DRUPAL10_EVENTS.url, "webform"): "NOT_CURRENT",
    (DRUPAL10_EVENTS.url, "linkit"): "NOT_SECURE",
    (DRUPAL10_EVENTS.url, "token"): "CURRENT",
    (DRUPAL10_EVENTS.url, "events_registration"): "UNKNOWN",
}

# (site url) -> Drupal core's security coverage on the site: (until version, further minors, state).
EXPECTED_CORE_COVERAGE = {
    DRUPAL10_CORPORATE.url: ("10.4.0", 0, "ended"),  # 10.2 ended when 10.4.0 came out
    DRUPAL11_PORTAL.url: ("11.3.0", 2, "covered"),  # 11.1 is the newest minor
    DRUPAL10_EVENTS.url: ("10.5.0", 1, "ending_soon"),  # 10.4 is out: the next minor ends 10.3's coverage
}

# (site url, machine name) the bundled advisories list as vulnerable.
EXPECTED_KNOWN_VULNERABLE = {
    (DRUPAL7_INTRANET.url, "system"),
    (DRUPAL7_INTRANET.url, "views"),
    (DRUPAL10_CORPORATE.url, "node"),
    (DRUPAL10_CORPORATE.url, "facets"),
    (DRUPAL10_CORPORATE.url, "ckeditor_uploadimage"),
}
