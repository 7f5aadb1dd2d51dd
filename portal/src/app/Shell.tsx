// The signed-in portal: header (subscription, principal, sign out), the portal menu, the breadcrumb and
// the blade of the current route (lazy: each blade is its own chunk).
import { Fragment, Suspense, useEffect, useState } from 'react';
import {
  Breadcrumb, BreadcrumbButton, BreadcrumbDivider, BreadcrumbItem, Button, Caption1, makeStyles, mergeClasses, Spinner, Text, tokens,
} from '@fluentui/react-components';
import { NavigationRegular, SignOutRegular } from '@fluentui/react-icons';
import { BLADES } from '../blades';
import { matchRoute, type PageBlade } from '../blades/registry';
import { parseResourceId, parentScopes } from '../api/arm-types';
import { usePortal } from './context';
import { href, linkClick, resourceRoute, useRoute } from './router';

const useStyles = makeStyles({
  root: { display: 'grid', gridTemplateRows: 'auto 1fr', minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground, color: tokens.colorNeutralForegroundOnBrand, flexWrap: 'wrap',
  },
  brand: { color: tokens.colorNeutralForegroundOnBrand, fontWeight: tokens.fontWeightSemibold, textDecoration: 'none', fontSize: tokens.fontSizeBase400 },
  headerInfo: { marginLeft: 'auto', display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap', minWidth: 0 },
  headerText: { color: tokens.colorNeutralForegroundOnBrand, overflowWrap: 'anywhere' },
  onBrand: { color: tokens.colorNeutralForegroundOnBrand },
  menuButton: { color: tokens.colorNeutralForegroundOnBrand, '@media (min-width: 801px)': { display: 'none' } },
  body: { display: 'grid', gridTemplateColumns: '220px 1fr', minWidth: 0, '@media (max-width: 800px)': { gridTemplateColumns: '1fr' } },
  nav: {
    backgroundColor: tokens.colorNeutralBackground1, borderRight: `1px solid ${tokens.colorNeutralStroke2}`, padding: tokens.spacingVerticalS,
    '@media (max-width: 800px)': { display: 'none', borderRight: 'none', borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  },
  navOpen: { '@media (max-width: 800px)': { display: 'block' } },
  navList: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '2px' },
  navLink: {
    display: 'block', padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`, borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1, textDecoration: 'none', ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  navCurrent: { backgroundColor: tokens.colorNeutralBackground1Selected, fontWeight: tokens.fontWeightSemibold },
  main: { padding: tokens.spacingHorizontalL, minWidth: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  resourceLayout: { display: 'grid', gridTemplateColumns: '200px 1fr', gap: tokens.spacingHorizontalL, '@media (max-width: 800px)': { gridTemplateColumns: '1fr' } },
  content: { backgroundColor: tokens.colorNeutralBackground1, padding: tokens.spacingHorizontalL, borderRadius: tokens.borderRadiusMedium, minWidth: 0 },
  // Long blade titles wrap at 390px instead of widening the page.
  crumbs: { minWidth: 0, '& ol': { flexWrap: 'wrap' } },
  groupLabel: { display: 'block', padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM} 0`, color: tokens.colorNeutralForeground3 },
});

interface Crumb { label: string; route: string }

function crumbsFor(resourceId: string, bladeTitle: string): Crumb[] {
  const out: Crumb[] = [{ label: 'Home', route: '' }];
  for (const scope of parentScopes(resourceId)) {
    const p = parseResourceId(scope);
    if (p.type === 'Microsoft.Resources/resourceGroups') out.push({ label: p.name, route: resourceRoute(scope) });
  }
  out.push({ label: parseResourceId(resourceId).name, route: resourceRoute(resourceId) });
  if (bladeTitle !== 'Overview') out.push({ label: bladeTitle, route: '' });
  return out;
}

export function Shell() {
  const { subscription, principal, signOut } = usePortal();
  const route = useRoute();
  const s = useStyles();
  const [menuOpen, setMenuOpen] = useState(false);
  const match = matchRoute(BLADES, route.path);
  const navPages = BLADES.filter((b): b is PageBlade => b.kind === 'page' && b.nav === true);

  const title = match.kind === 'none' ? 'Not found' : match.blade.title;
  useEffect(() => { document.title = `${title} - apim-local portal`; }, [title]);
  const crumbs: Crumb[] = match.kind === 'resource' ? crumbsFor(match.resourceId, match.blade.title)
    : match.kind === 'page' && match.blade.route !== '' ? [{ label: 'Home', route: '' }, { label: match.blade.title, route: match.blade.route }]
      : [{ label: 'Home', route: '' }];

  let content;
  if (match.kind === 'none') content = <Text role="alert">The page '{route.path}' does not exist in this portal.</Text>;
  else {
    const C = match.blade.component;
    const blade = <C key={route.path} resourceId={match.kind === 'resource' ? match.resourceId : ''} query={route.query} />;
    content = match.kind === 'resource' ? (
      <div className={s.resourceLayout}>
        <nav aria-label="Resource menu" className={s.content}>
          <ul className={s.navList}>
            {match.menu.map((b, i) => (
              <li key={b.name}>
                {b.group && b.group !== match.menu[i - 1]?.group && <Caption1 className={s.groupLabel}>{b.group}</Caption1>}
                <a className={mergeClasses(s.navLink, b === match.blade && s.navCurrent)} href={href(resourceRoute(match.resourceId, b.name))}
                  onClick={linkClick(resourceRoute(match.resourceId, b.name))} aria-current={b === match.blade ? 'page' : undefined}>{b.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div className={s.content}>{blade}</div>
      </div>
    ) : <div className={s.content}>{blade}</div>;
  }

  return (
    <div className={s.root}>
      <header className={s.header}>
        <Button className={s.menuButton} appearance="transparent" icon={<NavigationRegular />} aria-label="Portal menu" aria-expanded={menuOpen}
          onClick={() => setMenuOpen((o) => !o)} />
        <a className={s.brand} href={href('')} onClick={linkClick('')}>apim-local</a>
        <div className={s.headerInfo}>
          <Text className={s.headerText} aria-label={`Subscription: ${subscription.displayName}`}>Subscription: {subscription.displayName}</Text>
          <Text className={s.headerText} title={`Object ID ${principal.objectId}`}>Signed in as application {principal.appId}</Text>
          <Button appearance="transparent" className={s.onBrand} icon={<SignOutRegular />} onClick={signOut}>Sign out</Button>
        </div>
      </header>
      <div className={s.body}>
        <nav aria-label="Portal menu" className={mergeClasses(s.nav, menuOpen && s.navOpen)}>
          <ul className={s.navList}>
            {navPages.map((b) => (
              <li key={b.route}>
                <a className={mergeClasses(s.navLink, match.kind === 'page' && match.blade === b && s.navCurrent)} href={href(b.route)}
                  onClick={(e) => { setMenuOpen(false); linkClick(b.route)(e); }} aria-current={match.kind === 'page' && match.blade === b ? 'page' : undefined}>
                  {b.navLabel ?? b.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main className={s.main}>
          <Breadcrumb aria-label="Breadcrumb" className={s.crumbs}>
            {crumbs.map((c, i) => (
              <Fragment key={i}>
                {i > 0 && <BreadcrumbDivider />}
                <BreadcrumbItem>
                  {i === crumbs.length - 1
                    ? <BreadcrumbButton current>{c.label}</BreadcrumbButton>
                    : <BreadcrumbButton as="a" href={href(c.route)} onClick={linkClick(c.route)}>{c.label}</BreadcrumbButton>}
                </BreadcrumbItem>
              </Fragment>
            ))}
          </Breadcrumb>
          <Suspense fallback={<Spinner label="Loading blade" />}>{content}</Suspense>
        </main>
      </div>
    </div>
  );
}
