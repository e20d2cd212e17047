import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLE_GROUPS } from '../../../src/platform/roles.ts';
import { useAlertedDevices, useDevices, usePlans } from '../api/devices.ts';
import { type EventFilters, openEventsByArea, useEvents, useKpis, useLiveAlerts } from '../api/events.ts';
import { useBoundaries, useChildren, useJurisdiction, useLogout, useTeams } from '../api/queries.ts';
import type { Me } from '../api/types.ts';
import { placeName } from '../i18n.ts';
import {
  DESK_PATH,
  eventIdOf,
  eventPath,
  FROM_COCKPIT,
  navigate,
  openedFromCockpit,
  useLocation,
} from '../router.ts';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import { AreaList } from './AreaList.tsx';
import { Breadcrumb } from './Breadcrumb.tsx';
import { DATA_PATH, DATA_ROLES } from './DataPage.tsx';
import { SERVICES_PAGE_ROLES } from './DeskPage.tsx';
import { focusFromSearch, focusUrl, isWithin, teamsWithin } from './drill.ts';
import { ENFORCEMENT_PATH, ENFORCEMENT_ROLES } from './EnforcementPage.tsx';
import { EventFeed } from './EventFeed.tsx';
import { EventPage } from './EventPage.tsx';
import { FeedFilters, isFiltered } from './FeedFilters.tsx';
import { HeaderLink } from './HeaderLink.tsx';
import { KpiPanel } from './KpiPanel.tsx';
import {
  type AreaMeasure,
  type LayerSwitches,
  useCrowdDensity,
  useLifeCircle,
  useParkingSites,
  useTrafficLinks,
  useWaterSections,
  useWorkload,
} from './layers.ts';
import { PlansPanel } from './PlansPanel.tsx';
import { UrgentBanner, useUrgentAlerts } from './urgentAlerts.tsx';

const CityMap = lazy(() => import('../map/CityMap.tsx'));

const EMPTY: ReadonlyMap<string, number> = new Map();

/** Roles that may read the KPIs (the server's check, which admin always passes). */
const KPI_ROLES: readonly string[] = ['admin', ...ROLE_GROUPS.oversight];

/**
 * The signed-in cockpit: header with breadcrumb, area list, map, KPIs and event feed; an event's
 * page over the map at `/events/:id` (the drill-down `?at=` kept, so closing it returns to the same map).
 */
export function Cockpit({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const logout = useLogout();
  const { pathname, search } = useLocation();
  const scope = me.principal;
  const focusCode = focusFromSearch(search, scope.jurisdictionCode);
  const focus = useJurisdiction(focusCode, true);
  const node = focus.data;

  // Outside the user's scope (or unknown): back to the user's own node.
  useEffect(() => {
    const outside = node && !isWithin(node.path, scope.jurisdictionPath);
    if (outside || focus.isError)
      navigate(focusUrl(scope.jurisdictionCode, scope.jurisdictionCode, pathname), { replace: true });
  }, [node, focus.isError, scope.jurisdictionCode, scope.jurisdictionPath, pathname]);

  // The focus's children and their boundaries are read with the node itself, not after it (a
  // drill-down waited for three answers in a row); a leaf's siblings once it is known to be one.
  const children = useChildren(focusCode);
  const isLeaf = children.data ? children.data.items.length === 0 : false;
  // A leaf (street) is shown among its siblings; otherwise the node's children are the areas.
  const areaParent = isLeaf
    ? node?.code === focusCode
      ? (node.parentCode ?? node.code)
      : undefined
    : focusCode;
  const boundaries = useBoundaries(areaParent);
  const siblings = useChildren(isLeaf ? areaParent : undefined);
  const areas = isLeaf ? siblings.data?.items : children.data?.items;
  // Teams of the area viewed, as the devices below.
  const teams = useTeams(node && node.level !== 'city' ? node.code : undefined);
  const events = useEvents();
  useLiveAlerts();
  // Devices of the area viewed: a district's or a street's, not the city's 17,000.
  const devices = useDevices(node && node.level !== 'city' ? node.code : undefined);
  const alerted = useAlertedDevices();
  const plans = usePlans();
  const deviceLayer = useMemo(
    () => (devices.data ? { points: devices.data, alerted: alerted.data ?? new Set<string>() } : undefined),
    [devices.data, alerted.data],
  );
  // One time range for the feed and the KPIs; both are of the area viewed.
  const [filters, setFilters] = useState<EventFilters>({ range: '30d' });
  const within = node?.path;
  const feedFilters = useMemo(() => ({ ...filters, within }), [filters, within]);
  const filtered = useEvents(feedFilters);
  const kpis = useKpis(
    scope.roles.some((r) => KPI_ROLES.includes(r)),
    filters.range,
    within && within !== scope.jurisdictionPath ? within : undefined,
  );
  const urgent = useUrgentAlerts(events.data);
  const openEvent = eventIdOf(pathname);
  // Opening an event keeps the map's drill-down (?at=); one event page replaces another in history.
  const showEvent = (id: string) =>
    navigate(`${eventPath(id)}${search}`, {
      replace: Boolean(openEvent),
      state: openEvent ? history.state : FROM_COCKPIT,
    });
  // Back to the map: the history entry before when the cockpit opened the page, else the map URL.
  const closeEvent = () => {
    if (openedFromCockpit()) history.back();
    else navigate(`/${search}`, { replace: true });
  };
  const eventsInView = useMemo(
    () => (node && events.data ? events.data.filter((e) => isWithin(e.jurisdictionPath, node.path)) : []),
    [node, events.data],
  );
  const OPEN_EVENTS = useMemo(() => openEventsByArea(events.data ?? []), [events.data]);
  // The choropleth: open events or overdue tasks per area, counted by the server over everything
  // in scope (the event list above is only the latest 200); the list's counts until it answers.
  const [measure, setMeasure] = useState<AreaMeasure>('openEvents');
  const [layers, setLayers] = useState<LayerSwitches>({
    water: false,
    crowd: false,
    traffic: false,
    parking: false,
    lifecircle: false,
  });
  const workload = useWorkload();
  const water = useWaterSections(layers.water);
  const crowd = useCrowdDensity(layers.crowd);
  const traffic = useTrafficLinks(layers.traffic);
  // The parking layer of the area in focus (the whole scope at the user's own node).
  const parking = useParkingSites(
    layers.parking,
    node && node.code !== scope.jurisdictionCode ? node.code : undefined,
  );
  const lifecircle = useLifeCircle(layers.lifecircle);
  // Switching a layer on shows the current state, not the cached answer of the last time it was on.
  const { refetch: refetchWater } = water;
  const { refetch: refetchCrowd } = crowd;
  const { refetch: refetchTraffic } = traffic;
  const { refetch: refetchParking } = parking;
  useEffect(() => {
    if (layers.parking) void refetchParking();
  }, [layers.parking, refetchParking]);
  useEffect(() => {
    if (layers.traffic) void refetchTraffic();
  }, [layers.traffic, refetchTraffic]);
  useEffect(() => {
    if (layers.water) void refetchWater();
  }, [layers.water, refetchWater]);
  useEffect(() => {
    if (layers.crowd) void refetchCrowd();
  }, [layers.crowd, refetchCrowd]);
  const areaValues = workload.data
    ? workload.data[measure]
    : measure === 'openEvents'
      ? OPEN_EVENTS
      : undefined;
  const teamsInView = useMemo(
    () => (node && teams.data ? teamsWithin(teams.data, node.path) : []),
    [node, teams.data],
  );
  const approximate = Boolean(
    node?.approximate || boundaries.data?.features.some((f) => f.properties.approximate),
  );

  const selectable = useMemo(
    () =>
      new Set(
        (areas ?? [])
          .filter((a) => isWithin(a.path, scope.jurisdictionPath) && a.code !== node?.code)
          .map((a) => a.code),
      ),
    [areas, node?.code, scope.jurisdictionPath],
  );
  // Drilling to another area closes an open event page.
  const select = (code: string) =>
    navigate(focusUrl(code, scope.jurisdictionCode, openEvent ? '/' : pathname));

  return (
    <div className="cockpit">
      <header className="cockpit-header">
        <h1 className="brand">
          <span className="logo" aria-hidden="true" />
          <span>{t('cockpit.title')}</span>
        </h1>
        <Breadcrumb
          path={node?.path ?? scope.jurisdictionPath}
          scopePath={scope.jurisdictionPath}
          onSelect={select}
        />
        <div className="user">
          {scope.roles.some((r) => DATA_ROLES.includes(r)) ? (
            <HeaderLink href={DATA_PATH}>{t('datahub.link')}</HeaderLink>
          ) : null}
          {scope.roles.some((r) => SERVICES_PAGE_ROLES.includes(r)) ? (
            <HeaderLink href={DESK_PATH}>{t('desk.link')}</HeaderLink>
          ) : null}
          {scope.roles.some((r) => ENFORCEMENT_ROLES.includes(r)) ? (
            <HeaderLink href={ENFORCEMENT_PATH}>{t('enforcementPage.link')}</HeaderLink>
          ) : null}
          <span className="user-name" title={scope.roles.map((r) => t(`roles.${r}`)).join(', ')}>
            {me.user?.displayName ?? scope.name}
          </span>
          <LanguageSwitch />
          <button type="button" className="btn btn-ghost" onClick={logout}>
            {t('common.logout')}
          </button>
        </div>
      </header>
      <aside className="panel panel-left" aria-label={t('areas.title')}>
        <AreaList
          node={node}
          areas={areas}
          isLeaf={isLeaf}
          scopePath={scope.jurisdictionPath}
          values={areaValues}
          measure={measure}
          onSelect={select}
        />
      </aside>
      <main
        className="map-wrap"
        aria-label={t('map.label', { name: node ? placeName(node, i18n.language) : '' })}
      >
        <Suspense fallback={<div className="map-loading">{t('map.loading')}</div>}>
          {node && boundaries.data ? (
            <CityMap
              focus={node}
              areas={boundaries.data}
              highlight={isLeaf ? node.code : undefined}
              selectable={selectable}
              labels={areas ?? []}
              values={areaValues ?? EMPTY}
              measure={measure}
              onMeasure={setMeasure}
              layers={layers}
              onLayers={setLayers}
              water={water.data}
              crowd={crowd.data}
              traffic={traffic.data}
              parking={parking.data}
              lifecircle={lifecircle.data}
              teams={teamsInView}
              events={eventsInView}
              devices={deviceLayer}
              onSelect={select}
              onEvent={showEvent}
            />
          ) : (
            <div className="map-loading">{t('map.loading')}</div>
          )}
        </Suspense>
        {openEvent ? <EventPage key={openEvent} id={openEvent} me={me} onClose={closeEvent} /> : null}
        {approximate ? (
          <p className="notice" role="note">
            {t('map.approximate')}
          </p>
        ) : null}
      </main>
      <aside className="panel panel-right" aria-label={t('kpi.title')}>
        <KpiPanel
          teams={teamsInView}
          loading={teams.isPending}
          kpis={kpis.data}
          range={filters.range}
          openEvents={node && events.data ? (OPEN_EVENTS.get(node.code) ?? 0) : undefined}
        >
          <UrgentBanner fresh={urgent.fresh} onOpen={showEvent} onDismiss={urgent.dismiss} />
          <PlansPanel plans={plans.data} loading={plans.isPending} />
          <FeedFilters
            value={feedFilters}
            onChange={setFilters}
            categories={categoriesOf(events.data)}
            events={filtered.data ?? []}
          />
          <EventFeed
            events={filtered.data ?? []}
            filtered={isFiltered(filters)}
            loading={filtered.isPending}
            selected={openEvent}
            onOpen={showEvent}
            hrefOf={(id) => `${eventPath(id)}${search}`}
          />
        </KpiPanel>
      </aside>
    </div>
  );
}

/** The categories the events in scope have, for the feed's category filter. */
function categoriesOf(events: readonly { category: string | null }[] | undefined): string[] {
  return [...new Set((events ?? []).map((e) => e.category).filter((c): c is string => Boolean(c)))].sort();
}
