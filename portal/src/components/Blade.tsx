// The frame of a blade: its title (the page's h1, the seed's label), a command bar, and its content.
import type { ReactNode } from 'react';
import { makeStyles, Title2, Caption1, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  commands: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-start' },
  subtitle: { color: tokens.colorNeutralForeground3 },
});

export function Blade({ title, subtitle, commands, children }: { title: string; subtitle?: string; commands?: ReactNode; children: ReactNode }) {
  const s = useStyles();
  return (
    <section className={s.root} aria-labelledby="blade-title">
      <div>
        <Title2 as="h1" id="blade-title">{title}</Title2>
        {subtitle && <div><Caption1 className={s.subtitle}>{subtitle}</Caption1></div>}
      </div>
      {commands && <div className={s.commands} role="toolbar" aria-label={`${title} commands`}>{commands}</div>}
      {children}
    </section>
  );
}
