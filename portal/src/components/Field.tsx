// A read-only labelled value (Essentials, ids), copyable.
import { Button, makeStyles, Text, tokens, Tooltip } from '@fluentui/react-components';
import { CopyRegular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  row: { display: 'grid', gridTemplateColumns: 'minmax(120px, 200px) 1fr', gap: tokens.spacingHorizontalM, alignItems: 'center', '@media (max-width: 600px)': { gridTemplateColumns: '1fr' } },
  label: { color: tokens.colorNeutralForeground3 },
  value: { display: 'flex', alignItems: 'center', gap: '4px', minWidth: 0, overflowWrap: 'anywhere' },
});

export function ValueField({ label, value, copy }: { label: string; value: string | undefined; copy?: boolean }) {
  const s = useStyles();
  return (
    <div className={s.row}>
      <Text className={s.label}>{label}</Text>
      <div className={s.value}>
        <Text data-field={label}>{value ?? '—'}</Text>
        {copy && value && (
          <Tooltip content={`Copy ${label}`} relationship="label">
            <Button size="small" appearance="subtle" icon={<CopyRegular />} onClick={() => void navigator.clipboard?.writeText(value)} />
          </Tooltip>
        )}
      </div>
    </div>
  );
}
